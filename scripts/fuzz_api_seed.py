"""What the API fuzz run (scripts/fuzz_api.sh) needs beyond `seed_dev` and one sync: the sandbox's
stages imported from iCIMS (its trigger statuses marked), the features on, a scheduling request for a
real sandbox application, a resume link, and a fresh API token for the sandbox connection.

Writes `NAME=value` lines for the shell (the token among them) to the file named by its argument,
never to the output. Run with the portal's environment, after migrate, seed_dev and the sync.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from integrations.models import Connection, SchedulingRequest, Stage  # noqa: E402
from integrations.sandbox.webhooks import DEFAULT_TRIGGER_STATUS_IDS  # noqa: E402
from integrations.services.api_tokens import api_token_create  # noqa: E402
from integrations.services.dev_seed import DEV_ADMIN_USERNAME, SANDBOX_CUSTOMER_ID  # noqa: E402
from integrations.services.live_lookups import candidate_applications_lookup, candidate_resume_fetch  # noqa: E402
from integrations.services.resume_links import resume_link_sign  # noqa: E402
from integrations.services.stages_import import stages_import_apply  # noqa: E402
from integrations.services.stages_refresh import stages_refresh_preview  # noqa: E402
from sync.models import Candidate, Job  # noqa: E402


def main(out: Path) -> None:
    connection = Connection.objects.get(customer_id=SANDBOX_CUSTOMER_ID)
    admin = get_user_model().objects.get(username=DEV_ADMIN_USERNAME)

    plan = stages_refresh_preview(connection=connection)
    stages_import_apply(connection=connection, rows=plan.rows, file_name=plan.file_name, user_id=admin.pk)
    Stage.objects.filter(connection=connection, status_id__in=DEFAULT_TRIGGER_STATUS_IDS).update(
        triggers_scheduling=True
    )
    connection.interview_sync_enabled = connection.feedback_enabled = True
    connection.save(update_fields=["interview_sync_enabled", "feedback_enabled"])

    # A pending request for a real application, so the actions on it reach the services, not a 404.
    trigger = Stage.objects.filter(connection=connection, triggers_scheduling=True).order_by("status_id").first()
    candidate, application = next(
        (candidate, applications[0])
        for candidate in Candidate.objects.filter(connection=connection).order_by("icims_id")[:30]
        if (applications := candidate_applications_lookup(connection=connection, candidate_id=candidate.icims_id))
    )
    request = SchedulingRequest.objects.create(
        connection=connection,
        workflow_id=str(application["id"]),
        candidate_id=str(candidate.icims_id),
        job_id=str(application["job"]["id"]),
        trigger_stage=trigger,
    )
    token = api_token_create(name="schemathesis", connections=[connection], expires_in_days=1)
    # A link to a resume that exists (the mirror cannot tell: the sandbox's profiles do not say).
    with_resume = next(
        person.icims_id
        for person in Candidate.objects.filter(connection=connection).order_by("icims_id")[:50]
        if candidate_resume_fetch(connection=connection, candidate_id=person.icims_id) is not None
    )
    resume_link = resume_link_sign(connection=connection, candidate_id=with_resume)

    values = {
        "FUZZ_API_TOKEN": token.plaintext,
        "FUZZ_CONNECTION_ID": connection.pk,
        "FUZZ_REQUEST_ID": request.pk,
        "FUZZ_CANDIDATE_ID": candidate.icims_id,
        "FUZZ_JOB_ID": Job.objects.filter(connection=connection).order_by("icims_id").first().icims_id,
        "FUZZ_RESUME_LINK": resume_link.signed,
    }
    out.write_text("".join(f"{name}={value}\n" for name, value in values.items()))
    out.chmod(0o600)
    print(f"fuzz seed: connection {connection.pk}, scheduling request {request.pk}, {Stage.objects.count()} stages")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
