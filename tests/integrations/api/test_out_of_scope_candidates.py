"""Any candidate the platform must schedule is readable: a person a scheduling request names is kept
(out of scope when outside the candidate folders), and `?live=true` reads anyone from iCIMS now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import SchedulingRequest
from integrations.services.api_tokens import api_token_create
from integrations.services.webhook_event_process import webhook_event_process
from sync.models import Candidate, ScopeState
from sync.services.records_mark_missing import records_mark_missing
from sync.services.records_upsert import records_upsert
from tests.integrations.conftest import JOB_ID, TRIGGER

from .conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_api(sandbox_connection):
    return api_client(api_token_create(name="platform", connections=[sandbox_connection]).plaintext)


@pytest.fixture
def inactive_candidate(sandbox):
    """A person in Cand:Inactive (outside the synced folders), applied to a job and moved to a trigger status."""
    person = sandbox.create_person(firstname="Zoë", lastname="Quist", folder="Cand:Inactive", email="zoe@example.org")
    workflow = sandbox.create_workflow(person_id=person.id, job_id=int(JOB_ID), status_id=TRIGGER)
    return person, workflow


def _url(connection, icims_id) -> str:
    return f"/api/v1/connections/{connection.pk}/candidates/{icims_id}/"


def test_the_out_of_scope_trigger_leaves_a_candidate_the_api_serves_with_name_and_email(
    sandbox_stages, sandbox_connection, stored_event, inactive_candidate, sandbox_api
):
    person, workflow = inactive_candidate
    webhook_event_process(event_id=stored_event(systemId=str(workflow.id), personId=str(person.id)).pk)
    assert SchedulingRequest.objects.get().candidate_id == str(person.id)

    answer = sandbox_api.get(_url(sandbox_connection, person.id))

    assert answer.status_code == 200
    body = answer.json()
    assert (body["first_name"], body["last_name"], body["email"]) == ("Zoë", "Quist", "zoe@example.org")
    assert (body["folder"], body["scope"], body["scope_state"]) == ("Cand:Inactive", "out_of_scope", "out_of_scope")
    # Not in the default list (in scope only), but in the list of people kept for scheduling.
    listed = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/candidates/").json()["results"]
    assert person.id not in [row["id"] for row in listed]
    kept = sandbox_api.get(
        f"/api/v1/connections/{sandbox_connection.pk}/candidates/", {"scope_state": "out_of_scope"}
    ).json()["results"]
    assert [row["id"] for row in kept] == [person.id]


def test_a_clean_full_run_leaves_the_kept_person_alone(
    sandbox_stages, sandbox_connection, stored_event, inactive_candidate, sandbox_api
):
    person, workflow = inactive_candidate
    webhook_event_process(event_id=stored_event(systemId=str(workflow.id), personId=str(person.id)).pk)

    records_mark_missing(
        connection=sandbox_connection, entity="candidates", full_run_started_at=timezone.now() + timedelta(hours=1)
    )

    assert Candidate.objects.get(icims_id=person.id).scope_state == ScopeState.OUT_OF_SCOPE
    assert sandbox_api.get(_url(sandbox_connection, person.id)).json()["email"] == "zoe@example.org"


def test_the_sync_keeps_the_mark_outside_the_folders_and_brings_the_person_in_scope_inside(sandbox_connection):
    profile = {"firstname": "Zoë", "lastname": "Quist", "folder": {"value": "Cand:Inactive"}}
    records_upsert(
        connection=sandbox_connection,
        entity="candidates",
        profiles=[(9001, profile)],
        fetched_at=timezone.now() - timedelta(minutes=2),
        keep_out_of_scope=True,
    )

    records_upsert(
        connection=sandbox_connection,
        entity="candidates",
        profiles=[(9001, {**profile, "lastname": "Quist-Ng"})],
        fetched_at=timezone.now() - timedelta(minutes=1),
    )
    assert Candidate.objects.get(icims_id=9001).scope_state == ScopeState.OUT_OF_SCOPE

    records_upsert(
        connection=sandbox_connection,
        entity="candidates",
        profiles=[(9001, {**profile, "folder": {"value": "Cand:Active"}})],
        fetched_at=timezone.now(),
    )
    assert Candidate.objects.get(icims_id=9001).scope_state == ScopeState.IN_SCOPE


def test_without_a_scheduling_request_a_person_outside_the_folders_is_still_not_mirrored(sandbox_connection):
    counts = records_upsert(
        connection=sandbox_connection,
        entity="candidates",
        profiles=[(9002, {"firstname": "Ann", "folder": {"value": "Cand:Inactive"}})],
        fetched_at=timezone.now(),
    )

    assert counts.ignored == 1
    assert not Candidate.objects.filter(icims_id=9002).exists()


def test_live_reads_anyone_from_icims_without_storing_a_person_the_mirror_does_not_keep(
    sandbox_connection, inactive_candidate, sandbox_api
):
    person, _ = inactive_candidate

    assert sandbox_api.get(_url(sandbox_connection, person.id)).status_code == 404
    answer = sandbox_api.get(_url(sandbox_connection, person.id), {"live": "true"})

    assert answer.status_code == 200
    assert (answer.json()["email"], answer.json()["scope"]) == ("zoe@example.org", "out_of_scope")
    assert not Candidate.objects.filter(icims_id=person.id).exists()


def test_live_refreshes_the_mirror_of_a_person_a_request_names(
    sandbox, sandbox_stages, sandbox_connection, stored_event, inactive_candidate, sandbox_api
):
    person, workflow = inactive_candidate
    webhook_event_process(event_id=stored_event(systemId=str(workflow.id), personId=str(person.id)).pk)
    sandbox.update_person(person.id, email="zoe.quist@example.org")

    stale = sandbox_api.get(_url(sandbox_connection, person.id)).json()
    fresh = sandbox_api.get(_url(sandbox_connection, person.id), {"live": "true"}).json()

    assert stale["email"] == "zoe@example.org"
    assert fresh["email"] == "zoe.quist@example.org"
    assert Candidate.objects.get(icims_id=person.id).email == "zoe.quist@example.org"
    assert sandbox_api.get(_url(sandbox_connection, person.id)).json()["email"] == "zoe.quist@example.org"


def test_live_for_a_person_icims_does_not_have_is_not_found(sandbox, sandbox_connection, sandbox_api):
    answer = sandbox_api.get(_url(sandbox_connection, 987654321), {"live": "true"})

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_live_when_icims_cannot_be_reached_says_so_with_a_503(
    sandbox, sandbox_connection, inactive_candidate, sandbox_api, settings
):
    settings.API_LIVE_MAX_ATTEMPTS = 1
    sandbox.faults.inject("error", count=5, path="/people/")

    answer = sandbox_api.get(_url(sandbox_connection, inactive_candidate[0].id), {"live": "true"})

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "icims_unavailable"


def test_live_with_the_budget_spent_says_so_with_a_429(sandbox_connection, inactive_candidate, sandbox_api):
    sandbox_connection.hourly_call_budget = 1
    sandbox_connection.save()
    url = _url(sandbox_connection, inactive_candidate[0].id)
    assert sandbox_api.get(url, {"live": "true"}).status_code == 200

    answer = sandbox_api.get(url, {"live": "true"})

    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "icims_budget_exhausted"
    assert int(answer["Retry-After"]) >= 1


def test_a_live_value_that_is_not_a_boolean_is_refused(sandbox_connection, sandbox_api):
    answer = sandbox_api.get(_url(sandbox_connection, 21), {"live": "perhaps"})

    assert answer.status_code == 400
    assert "live" in answer.json()["error"]["details"]


def test_live_never_reaches_another_tenants_connection(sandbox_connection, globex_api, inactive_candidate):
    answer = globex_api.get(_url(sandbox_connection, inactive_candidate[0].id), {"live": "true"})

    assert answer.status_code == 404
