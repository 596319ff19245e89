from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from sync.models import Candidate, Entity, Job, SyncRun, SyncState
from sync.services import records_upsert

pytestmark = pytest.mark.django_db

FETCHED = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)
MIRROR_MODELS = ["job", "candidate", "icimsuser", "syncrun", "syncstate"]


@pytest.fixture
def mirror(connection, icims_profile):
    candidate = icims_profile("sync-person-candidate.json")
    other = {**candidate, "firstname": "John", "lastname": "Smith", "email": "john@example.com"}
    moved = {
        **candidate,
        "firstname": "Mia",
        "lastname": "Moved",
        "email": "mia@example.com",
        "folder": {"id": "D32020", "value": "Cand:Hired"},
    }
    records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=[(8986, candidate), (8987, other), (8988, {**moved, "folder": candidate["folder"]})],
        fetched_at=FETCHED,
    )
    records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=[(8988, {**moved, "updateddate": "2024-05-02 09:00 AM"})],
        fetched_at=FETCHED,
    )
    records_upsert(
        connection=connection, entity=Entity.JOBS, profiles=[(1026, icims_profile("sync-job.json"))], fetched_at=FETCHED
    )
    SyncRun.objects.create(
        connection=connection,
        entity=Entity.CANDIDATES,
        mode=SyncRun.Mode.BACKFILL,
        started_at=FETCHED,
        progress_done=250,
        progress_total=1000,
        seen_count=250,
    )
    SyncState.objects.create(connection=connection, entity=Entity.CANDIDATES, backfill_checkpoint=12345)
    return connection


def changelist(model: str) -> str:
    return reverse(f"admin:sync_{model}_changelist")


def shown_icims_ids(response) -> set[int]:
    return {row.icims_id for row in response.context["cl"].result_list}


@pytest.mark.parametrize("model", MIRROR_MODELS)
def test_super_admins_and_csms_can_view_every_mirror_list(model, mirror, superadmin_client, client, csm):
    assert superadmin_client.get(changelist(model)).status_code == 200
    client.force_login(csm)
    assert client.get(changelist(model)).status_code == 200


@pytest.mark.parametrize("model", MIRROR_MODELS)
def test_anonymous_visitors_are_sent_to_the_login_page(model, client):
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_staff_outside_the_csm_group_cannot_see_the_mirror(client, db):
    staff = get_user_model().objects.create_user("sam", "sam@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(changelist("candidate")).status_code == 403


def test_a_candidate_page_shows_its_values_read_only(mirror, csm_client):
    row = Candidate.objects.get(icims_id=8986)

    response = csm_client.get(reverse("admin:sync_candidate_change", args=[row.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "jane@example.com" in page and "New York, NY, US" in page
    assert "Pager: 302-555-5555 ext. 5" in page
    assert "&quot;firstname&quot;: &quot;Jane&quot;" in page  # the raw profile, escaped
    assert 'name="_save"' not in page


@pytest.mark.parametrize("persona", ["superadmin_client", "csm_client"])
def test_nobody_adds_changes_or_deletes_mirrored_records(persona, mirror, request):
    client = request.getfixturevalue(persona)
    row = Candidate.objects.get(icims_id=8986)

    assert client.get(reverse("admin:sync_candidate_add")).status_code == 403
    assert (
        client.post(reverse("admin:sync_candidate_change", args=[row.pk]), {"email": "hijack@example.com"}).status_code
        == 403
    )
    assert client.post(reverse("admin:sync_candidate_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.email == "jane@example.com"
    assert "Add candidate" not in client.get(changelist("candidate")).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jane@example.com", {8986}),
        ("smith", {8987}),
        ("8988", {8988}),
        ("nobody-matches", set()),
    ],
)
def test_candidates_are_found_by_name_email_or_icims_id(query, expected, mirror, csm_client):
    response = csm_client.get(changelist("candidate"), {"q": query})
    assert shown_icims_ids(response) == expected


@pytest.mark.parametrize("query", ["2014-1026", "software engineer", "1026", "Harriet"])
def test_jobs_are_found_by_job_number_title_icims_id_or_hiring_team(query, mirror, csm_client):
    response = csm_client.get(changelist("job"), {"q": query})
    assert shown_icims_ids(response) == {1026}


def test_candidates_are_filtered_by_scope_folder_and_connection(mirror, csm_client):
    left = csm_client.get(changelist("candidate"), {"scope_state__exact": "left_scope"})
    assert shown_icims_ids(left) == {8988}

    active = csm_client.get(changelist("candidate"), {"folder": "Cand:Active"})
    assert shown_icims_ids(active) == {8986, 8987}

    mine = csm_client.get(changelist("candidate"), {"connection__id__exact": mirror.pk})
    assert shown_icims_ids(mine) == {8986, 8987, 8988}


def test_a_sync_run_shows_its_progress(mirror, csm_client):
    response = csm_client.get(changelist("syncrun"))
    assert "250/1000 (25%)" in response.content.decode()


def test_a_job_page_shows_the_hiring_team(mirror, superadmin_client):
    job = Job.objects.get()
    page = superadmin_client.get(reverse("admin:sync_job_change", args=[job.pk])).content.decode()
    assert "Harriet Manager" in page and "Rita Recruiter" in page and "Olive Owner" in page
