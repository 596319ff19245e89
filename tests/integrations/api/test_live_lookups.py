"""Live lookups against the sandbox tenant: applications, hiring team; iCIMS failures as JSON errors."""

from __future__ import annotations

import pytest

from integrations.models import ApiCallLedger, SchedulingRequest, Stage
from integrations.services.api_tokens import api_token_create
from sync.models import IcimsUser

from .conftest import SYNCED, api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_api(sandbox, sandbox_connection):
    return api_client(api_token_create(name="platform", connections=[sandbox_connection]).plaintext)


@pytest.fixture
def fail_fast(settings):
    settings.API_LIVE_MAX_ATTEMPTS = 1


def candidate_with_applications(sandbox, at_least: int = 2) -> int:
    by_person: dict[int, list[int]] = {}
    for workflow in sandbox.workflows.values():
        by_person.setdefault(workflow.person, []).append(workflow.id)
    return next(person for person, workflows in sorted(by_person.items()) if len(workflows) >= at_least)


def applications_url(connection, person_id) -> str:
    return f"/api/v1/connections/{connection.pk}/candidates/{person_id}/applications/"


def test_a_candidates_applications_come_live_from_icims_newest_first(sandbox, sandbox_connection, sandbox_api):
    person_id = candidate_with_applications(sandbox)
    expected = sorted((w for w in sandbox.workflows.values() if w.person == person_id), key=lambda w: -w.id)
    response = sandbox_api.get(applications_url(sandbox_connection, person_id))
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [a["id"] for a in results] == [w.id for w in expected]
    first, workflow = results[0], expected[0]
    assert first["candidate_id"] == person_id
    assert first["job"] == {"id": workflow.job, "title": sandbox.jobs[workflow.job].jobtitle}
    assert first["status"] == {"id": workflow.status.id, "name": workflow.status.value}
    assert first["stage"] is None  # no stages imported yet
    assert ApiCallLedger.objects.get(purpose=ApiCallLedger.Purpose.LIVE).calls >= 1 + len(expected)


def test_an_application_carries_its_stage_and_scheduling_request(sandbox, sandbox_connection, sandbox_api):
    person_id = candidate_with_applications(sandbox)
    workflow = max((w for w in sandbox.workflows.values() if w.person == person_id), key=lambda w: w.id)
    stage = Stage.objects.create(
        connection=sandbox_connection,
        bin=workflow.status.bin.value,
        status=workflow.status.value,
        status_id=workflow.status.id,
        triggers_scheduling=True,
    )
    request = SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=str(workflow.id),
        candidate_id=str(person_id),
        job_id=str(workflow.job),
        trigger_stage=stage,
    )
    first = sandbox_api.get(applications_url(sandbox_connection, person_id)).json()["results"][0]
    assert first["stage"]["id"] == stage.pk and first["stage"]["triggers_scheduling"] is True
    assert first["scheduling_request_id"] == request.pk


def test_an_application_search_cannot_see_yet_is_found_through_its_scheduling_request(
    sandbox, sandbox_connection, sandbox_api
):
    person_id = candidate_with_applications(sandbox, at_least=1)
    new = sandbox.create_workflow(person_id=person_id, job_id=next(iter(sandbox.jobs)), status_id="C51218")
    url = applications_url(sandbox_connection, person_id)
    assert new.id not in [a["id"] for a in sandbox_api.get(url).json()["results"]]  # search lags ~6 minutes
    stage = Stage.objects.create(connection=sandbox_connection, bin="b", status="s", status_id="C51218")
    SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=str(new.id),
        candidate_id=str(person_id),
        job_id=str(new.job),
        trigger_stage=stage,
    )
    assert sandbox_api.get(url).json()["results"][0]["id"] == new.id


def test_a_candidate_without_applications_has_an_empty_list(sandbox, sandbox_connection, sandbox_api):
    user_id = sandbox.user_ids[0]  # users never apply in the sandbox
    assert sandbox_api.get(applications_url(sandbox_connection, user_id)).json() == {"results": []}


def test_the_hiring_team_comes_live_with_emails_from_the_user_mirror(sandbox, sandbox_connection, sandbox_api):
    job = next(job for job in sandbox.jobs.values() if job.secondaryrecruiter is None)
    manager = sandbox.people[job.hiringmanager]
    IcimsUser.objects.create(
        connection=sandbox_connection, icims_id=manager.id, email="boss@example.com", synced_at=SYNCED, seen_at=SYNCED
    )
    response = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/jobs/{job.id}/hiring-team/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["job_id"] == job.id and body["title"] == job.jobtitle
    assert body["team"]["hiring_manager"] == {
        "person_id": manager.id,
        "name": manager.full_name,
        "email": "boss@example.com",
    }
    recruiter = sandbox.people[job.recruiter]
    expected_email = "boss@example.com" if recruiter.id == manager.id else None
    assert body["team"]["recruiter"] == {
        "person_id": recruiter.id,
        "name": recruiter.full_name,
        "email": expected_email,
    }
    assert body["team"]["secondary_recruiter"] is None
    # Without a field map, coordinator and sourcer are not guessed: they come back empty.
    assert body["team"]["coordinator"] is None and body["team"]["sourcer"] is None
    assert body["assumed_roles"] == ["coordinator", "sourcer"]
    assert body["custom_fields"] == {}


def test_the_field_map_fills_coordinator_sourcer_and_custom_fields(sandbox, sandbox_connection, sandbox_api):
    sandbox_connection.field_map = {
        "job.coordinator": "rcf3047",
        "job.sourcer": "rcf3048",
        "job.cost_centre": "field23848",
    }
    sandbox_connection.save()
    job = next(iter(sandbox.jobs.values()))

    body = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/jobs/{job.id}/hiring-team/").json()

    assert body["team"]["coordinator"]["person_id"] == job.recruiter  # the sandbox keeps it in rcf3047
    assert body["team"]["sourcer"]["person_id"] == job.jobowner
    assert body["assumed_roles"] == []
    assert body["custom_fields"] == {"cost_centre": f"CC-{100 + job.id % 7}"}


def test_an_application_carries_its_bin_source_person_and_mapped_fields(sandbox, sandbox_connection, sandbox_api):
    sandbox_connection.field_map = {"application.source_channel": "sourcename"}
    sandbox_connection.save()
    person_id = candidate_with_applications(sandbox)
    workflow = max((w for w in sandbox.workflows.values() if w.person == person_id), key=lambda w: w.id)
    workflow.sourceperson = next(iter(sandbox.user_ids))
    others = [w.id for w in sandbox.workflows.values() if w.person == person_id and w.id != workflow.id]

    results = sandbox_api.get(applications_url(sandbox_connection, person_id)).json()["results"]

    first = results[0]
    assert first["bin"] == {"id": workflow.status.bin.id, "name": workflow.status.bin.value}
    assert first["source_person"] == {
        "person_id": workflow.sourceperson,
        "name": sandbox.people[workflow.sourceperson].full_name,
    }
    assert first["custom_fields"] == {"source_channel": first["source_name"]}
    # iCIMS may leave sourceperson out (never seen in a recorded answer): null, not an error.
    assert [a["source_person"] for a in results if a["id"] in others] == [None] * len(others)


def test_an_unknown_job_is_not_found(sandbox, sandbox_connection, sandbox_api):
    response = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/jobs/999999/hiring-team/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_icims_failing_is_a_503_with_retry_advice(sandbox, sandbox_connection, sandbox_api, fail_fast):
    sandbox.faults.inject("error", count=1, path="/jobs/")
    response = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/jobs/1001/hiring-team/")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "icims_unavailable"
    assert error["details"]["icims_status"] == 503


def test_icims_not_answering_is_a_503(sandbox, sandbox_connection, sandbox_api, fail_fast):
    sandbox.faults.inject("timeout", count=1, path="/search/")
    response = sandbox_api.get(applications_url(sandbox_connection, 25))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "icims_unavailable"


def test_icims_refusing_the_credentials_is_a_502(sandbox, sandbox_connection, sandbox_api):
    sandbox_connection.client_secret = "wrong-secret"
    sandbox_connection.save()
    response = sandbox_api.get(applications_url(sandbox_connection, 25))
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "icims_auth_failed"
    assert "wrong-secret" not in response.content.decode()


def test_icims_denying_access_is_a_502(sandbox, sandbox_connection, sandbox_api, fail_fast):
    sandbox.faults.inject("error", count=1, path="/jobs/", status=403)
    response = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/jobs/1001/hiring-team/")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "icims_access_denied"


def test_icims_rate_limiting_is_a_429_with_retry_after(sandbox, sandbox_connection, sandbox_api):
    sandbox.faults.inject("rate_limit", count=1, retry_after=120, path="/jobs/")
    response = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/jobs/1001/hiring-team/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "icims_rate_limited"
    assert 0 < int(response["Retry-After"]) <= 120


def test_another_tenant_cannot_look_up_through_this_connection(sandbox, sandbox_connection, acme_api):
    response = acme_api.get(applications_url(sandbox_connection, 25))
    assert response.status_code == 404
    assert not ApiCallLedger.objects.exists()  # refused before any iCIMS call
