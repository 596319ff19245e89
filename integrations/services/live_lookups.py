"""What the scheduling platform asks iCIMS live, at the moment of scheduling (integration guide:
applications and resumes are not synced, the hiring team is read live).

Every call is made for Purpose.LIVE, which the call budget serves first. iCIMS errors propagate as
typed IcimsErrors; the API turns them into JSON errors.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, TypedDict

from django.conf import settings

from integrations.icims.budget import Purpose
from integrations.icims.client import IcimsClient, Resume
from integrations.icims.errors import IcimsNotFound, IcimsValidationError
from integrations.models import Connection, SchedulingRequest, Stage
from integrations.services.connection_field_map import TEAM_ROLES, field_map_for
from integrations.services.icims_clients import icims_client_for
from integrations.services.urgent_lane import urgent_timeouts
from sync import mapping
from sync.models import IcimsUser

logger = logging.getLogger(__name__)

# `bin` and `sourceperson` were never seen in a recorded answer (icims-api.md section 15): asked for,
# and null when absent.
WORKFLOW_FIELDS = (
    "baseprofile",
    "associatedprofile",
    "status",
    "bin",
    "source",
    "sourcename",
    "sourceperson",
    "updateddate",
)
# The most recent applications a lookup reads: each costs one call, and a candidate rarely has more.
MAX_APPLICATIONS = 50

# Hiring team roles: the job field iCIMS is asked for -> the role name in our answer.
DOCUMENTED_TEAM_FIELDS = {
    "hiringmanager": "hiring_manager",
    "recruiter": "recruiter",
    "secondaryrecruiter": "secondary_recruiter",
    "jobowner": "job_owner",
}
# iCIMS documents no coordinator or sourcer field on a job, yet the integration guide says the hiring
# team includes them: each tenant keeps them in its own fields, named in the connection's field map
# (`job.coordinator = rcf3047`, services/connection_field_map.py). Unmapped, the role is null.
MAPPED_TEAM_ROLES = TEAM_ROLES


class StageSummary(TypedDict):
    id: int
    bin: str
    status: str
    status_id: str
    triggers_scheduling: bool


class Application(TypedDict):
    id: int
    candidate_id: int | None
    job: dict[str, Any]
    status: dict[str, str]
    source: str
    source_name: str
    source_person: dict[str, Any] | None
    bin: dict[str, str] | None
    updated_in_icims: datetime | None
    stage: StageSummary | None
    scheduling_request_id: int | None
    custom_fields: dict[str, Any]


class TeamMember(TypedDict):
    person_id: int | None
    name: str
    email: str | None


class HiringTeam(TypedDict):
    job_id: int
    title: str
    team: dict[str, TeamMember | None]
    assumed_roles: list[str]
    custom_fields: dict[str, Any]


def live_client(*, connection: Connection) -> IcimsClient:
    # Someone is waiting on a live lookup: a failing iCIMS is retried briefly, then reported, and a slow one
    # gets the urgent lane's short timeouts, so a sick tenant never holds the web workers webhooks arrive on.
    timeouts = urgent_timeouts()
    return icims_client_for(
        connection=connection,
        purpose=Purpose.LIVE,
        max_attempts=settings.API_LIVE_MAX_ATTEMPTS,
        timeouts=(timeouts.connect, timeouts.read),
    )


def candidate_applications_lookup(*, connection: Connection, candidate_id: int) -> list[Application]:
    """The candidate's applications (applicant workflows), newest first, with the matching Stage if known.

    Search finds them by `applicantworkflow.person.id` (search lags about six minutes behind iCIMS), so
    the workflows of this candidate's scheduling requests are read too: those arrived by webhook.
    """
    client = live_client(connection=connection)
    found = set(
        client.search(
            "applicantworkflows",
            [
                {"name": "applicantworkflow.person.id", "value": [str(candidate_id)], "operator": "="},
            ],
        )
    )
    requests = {
        int(request.workflow_id): request.pk
        for request in SchedulingRequest.objects.filter(connection=connection, candidate_id=str(candidate_id))
        if request.workflow_id.isdecimal()
    }
    workflow_ids = sorted(found | set(requests), reverse=True)[:MAX_APPLICATIONS]
    stages = _stages_by_status_id(connection=connection)
    custom = field_map_for(connection.field_map, "application")
    applications = []
    for workflow_id in workflow_ids:
        try:
            profile = client.get_applicant_workflow(workflow_id, fields=[*WORKFLOW_FIELDS, *custom.values()])
        except IcimsNotFound:
            continue  # deleted between the search and now
        application = _application(
            workflow_id=workflow_id, profile=profile, stages=stages, scheduling_request_id=requests.get(workflow_id)
        )
        application["custom_fields"] = {name: profile.get(icims) for name, icims in custom.items()}
        if application["candidate_id"] in (None, candidate_id):
            applications.append(application)
    return applications


def _stages_by_status_id(*, connection: Connection) -> dict[str, StageSummary]:
    return {
        stage.status_id: StageSummary(
            id=stage.pk,
            bin=stage.bin,
            status=stage.status,
            status_id=stage.status_id,
            triggers_scheduling=stage.triggers_scheduling,
        )
        for stage in Stage.objects.filter(connection=connection).exclude(status_id="")
    }


def _application(
    *, workflow_id: int, profile: dict, stages: dict[str, StageSummary], scheduling_request_id: int | None
) -> Application:
    job_id, job_title = mapping.reference_value(profile.get("baseprofile"), field="baseprofile")
    candidate_id, _ = mapping.reference_value(profile.get("associatedprofile"), field="associatedprofile")
    status_name, status_id = mapping.list_value(profile.get("status"), field="status")
    source_person_id, source_person_name = mapping.reference_value(profile.get("sourceperson"), field="sourceperson")
    bin_name, bin_id = mapping.list_value(profile.get("bin"), field="bin")
    return Application(
        id=workflow_id,
        candidate_id=candidate_id,
        job={"id": job_id, "title": job_title},
        status={"id": status_id, "name": status_name},
        source=mapping.text_value(profile.get("source"), field="source"),
        source_name=mapping.text_value(profile.get("sourcename"), field="sourcename"),
        source_person={"person_id": source_person_id, "name": source_person_name}
        if source_person_id is not None or source_person_name
        else None,
        bin={"id": bin_id, "name": bin_name} if bin_id or bin_name else None,
        updated_in_icims=mapping.datetime_value(profile.get("updateddate"), field="updateddate"),
        stage=stages.get(status_id),
        scheduling_request_id=scheduling_request_id,
        custom_fields={},
    )


def job_hiring_team_lookup(*, connection: Connection, job_id: int) -> HiringTeam:
    """The job's hiring team, role -> person (with the email the user mirror has for them), and the job's
    custom fields from the connection's field map."""
    client = live_client(connection=connection)
    mapped = field_map_for(connection.field_map, "job")
    team_fields = {**DOCUMENTED_TEAM_FIELDS, **{mapped[role]: role for role in MAPPED_TEAM_ROLES if role in mapped}}
    custom = {name: icims for name, icims in mapped.items() if name not in MAPPED_TEAM_ROLES}
    try:
        profile = client.get_job(job_id, fields=["jobtitle", *team_fields, *custom.values()])
    except IcimsValidationError as refused:
        logger.warning("iCIMS refused the mapped fields for job %s (%s); asking without them", job_id, refused)
        team_fields, custom = dict(DOCUMENTED_TEAM_FIELDS), {}
        profile = client.get_job(job_id, fields=["jobtitle", *team_fields])
    people = {role: _team_reference(profile.get(field), field=field) for field, role in team_fields.items()}
    ids = [person_id for person_id, _ in filter(None, people.values()) if person_id is not None]
    emails = dict(
        IcimsUser.objects.filter(connection=connection, icims_id__in=ids)
        .exclude(email="")
        .values_list("icims_id", "email")
    )
    roles = [*DOCUMENTED_TEAM_FIELDS.values(), *MAPPED_TEAM_ROLES]
    team = {
        role: TeamMember(person_id=people[role][0], name=people[role][1], email=emails.get(people[role][0]))
        if people.get(role)
        else None
        for role in roles
    }
    return HiringTeam(
        job_id=job_id,
        title=mapping.text_value(profile.get("jobtitle"), field="jobtitle"),
        team=team,
        assumed_roles=[role for role in MAPPED_TEAM_ROLES if role not in team_fields.values()],
        custom_fields={name: profile.get(icims) for name, icims in custom.items()},
    )


def _team_reference(value: Any, *, field: str) -> tuple[int | None, str] | None:
    """A person reference; a list of them (a shape we have not seen) gives its first."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), None)
    person_id, name = mapping.reference_value(value, field=field)
    return (person_id, name) if person_id is not None or name else None


def candidate_resume_fetch(*, connection: Connection, candidate_id: int) -> Resume | None:
    """The candidate's resume file from iCIMS, or None when there is none."""
    return live_client(connection=connection).get_resume(candidate_id)
