"""The real client, built for a real Connection, against the sandbox tenant: every endpoint the
portal uses answers in the shapes the client reads, and `icims_connection test` says in plain
words whether a connection works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsAuthError, IcimsNotFound, IcimsValidationError
from integrations.icims.interviews import Interviewer, InterviewRequest
from integrations.models import ApiCallLedger
from integrations.services.icims_clients import icims_client_for, icims_interviews_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(sandbox, sandbox_connection):
    return icims_client_for(connection=sandbox_connection, purpose=Purpose.LIVE, sleep=lambda _: None)


def test_the_customer_answers(client):
    assert client.get_customer()


def test_search_pages_past_a_thousand_ids_without_gaps_or_repeats(sandbox, client):
    sandbox_ids = sorted(sandbox.people)
    assert len(sandbox_ids) > 300  # candidates + users
    for _ in range(1100):
        sandbox.create_person(firstname="Page", lastname="Filler", folder="Cand:Active")
    sandbox.clock.advance(timedelta(minutes=7))  # past the indexing delay
    found = list(client.search("people", [{"name": "person.folder", "value": ["Cand:Active"]}]))
    assert found == sorted(set(found))
    assert found == sorted(pid for pid, p in sandbox.people.items() if p.folder.value == "Cand:Active")
    assert len(found) > 1000


def test_profiles_come_back_with_only_the_fields_asked_for(sandbox, client):
    person_id = next(iter(sandbox.people))
    person = client.get_person(person_id, fields=["firstname", "lastname", "folder"])
    assert set(person) <= {"firstname", "lastname", "folder", "links"}
    assert set(person["folder"]) >= {"id", "value"}
    job = client.get_job(next(iter(sandbox.jobs)), fields=["jobtitle", "folder", "hiringmanager"])
    assert "jobtitle" in job
    workflow = client.get_applicant_workflow(next(iter(sandbox.workflows)))
    assert workflow["status"]["id"][0] in "CD"
    assert workflow["baseprofile"]["id"] and workflow["associatedprofile"]["id"]


def test_an_unknown_profile_is_not_found(client):
    with pytest.raises(IcimsNotFound):
        client.get_person(987654321)


def test_moving_a_candidate_changes_the_status_iCIMS_shows(sandbox, client):
    workflow_id = next(iter(sandbox.workflows))
    client.update_applicant_workflow_status(workflow_id, status_id="C51218")
    assert client.get_applicant_workflow(workflow_id, fields=["status"])["status"]["id"] == "C51218"
    with pytest.raises(IcimsValidationError):
        client.update_applicant_workflow_status(workflow_id, status_id="C00000-no-such-status")


def test_a_resume_is_a_file_or_nothing(sandbox, client):
    outcomes = {client.get_resume(pid) is None for pid in list(sandbox.people)[:40]}
    assert outcomes == {True, False}
    resume = next(r for pid in sandbox.people if (r := client.get_resume(pid)) is not None)
    assert resume.content_type.startswith("application/pdf")
    assert resume.content.startswith(b"%PDF")


def test_lists_and_their_nodes(client):
    lists = client.get_lists()
    assert "lists.person.folders" in lists
    nodes = list(client.get_list_nodes("lists.person.folders"))
    assert {"Cand:Active", "HM:Active"} <= {node["value"] for node in nodes}


def test_the_data_stream_reports_every_change_in_order(sandbox, client):
    subscriptions = client.get_stream_subscriptions(sandbox.stream_id)
    assert [s["subscriptionId"] for s in subscriptions] == [sandbox.subscription_id]
    person = sandbox.create_person(firstname="Zoë", lastname="Streamed", folder="Cand:Active")
    sandbox.move_person(person.id, "Cand:Inactive")
    events = list(client.get_stream_events("sandbox-stream"))
    mine = [e for e in events if e["entityType"] == "person" and e["entityId"] == str(person.id)]
    assert [e["eventType"] for e in mine] == ["CREATE", "UPDATE"]


def test_interviews_and_feedback_round_trip_through_the_assumed_adapter(sandbox, sandbox_connection):
    interviews = icims_interviews_for(connection=sandbox_connection, sleep=lambda _: None)
    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    created = interviews.create_interview(
        InterviewRequest(
            applicant_workflow_id=str(next(iter(sandbox.workflows))),
            title="Onsite",
            start_time=start,
            end_time=start + timedelta(hours=1),
            interviewers=[Interviewer(person_id="9059", email="i@example.com")],
            external_id="gt-1",
        )
    )
    assert interviews.get_interview(created["id"])["title"] == "Onsite"
    assert interviews.update_interview(created["id"], {"title": "Onsite (moved)"})["title"] == "Onsite (moved)"
    interviews.delete_interview(created["id"])
    with pytest.raises(IcimsNotFound):
        interviews.get_interview(created["id"])
    forms = interviews.get_feedback_forms()
    assert forms and {"id", "name"} <= set(forms[0])


def test_every_call_is_counted_in_the_ledger_by_purpose(sandbox, client, sandbox_connection):
    client.get_customer()
    client.get_person(next(iter(sandbox.people)))
    ledger = ApiCallLedger.objects.get(connection=sandbox_connection, purpose=Purpose.LIVE)
    assert ledger.calls == 2


def test_a_wrong_secret_is_refused_in_plain_words(sandbox, sandbox_connection):
    sandbox_connection.client_secret = "not-the-secret"
    sandbox_connection.save()
    client = icims_client_for(connection=sandbox_connection, purpose=Purpose.LIVE, sleep=lambda _: None)
    with pytest.raises(IcimsAuthError):
        client.get_customer()


def test_the_command_says_a_working_connection_works_and_ticks_the_checklist(sandbox, sandbox_connection, capsys):
    call_command("icims_connection", "test", "--customer-id", "1000")
    out = capsys.readouterr().out
    assert "works" in out and "FAIL" not in out
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.credentials_verified_at is not None


def test_the_command_says_why_a_wrong_secret_fails_and_exits_non_zero(sandbox, sandbox_connection, capsys):
    sandbox_connection.client_secret = "wrong"
    sandbox_connection.save()
    with pytest.raises(CommandError, match="does not work"):
        call_command("icims_connection", "test", "--customer-id", "1000")
    out = capsys.readouterr().out
    assert "FAIL" in out and "secret" in out.lower()
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.credentials_verified_at is None
