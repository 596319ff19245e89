"""A status change becomes at most one scheduling request, decided by what iCIMS shows now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection, SchedulingRequest, WebhookEvent
from integrations.services.scheduling_request_state import scheduling_request_cancel, scheduling_request_mark_scheduled
from integrations.services.webhook_event_process import webhook_event_process
from sync.models import Candidate, IcimsUser, Job
from tests.integrations.conftest import CANDIDATE_ID, JOB_ID, NOT_A_TRIGGER, SECOND_TRIGGER, TRIGGER, WORKFLOW_ID


@pytest.fixture
def at_trigger(sandbox):
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)


def _processed(event: WebhookEvent) -> WebhookEvent:
    webhook_event_process(event_id=event.pk)
    event.refresh_from_db()
    return event


def test_a_candidate_moved_into_a_trigger_status_gets_a_scheduling_request(sandbox_stages, at_trigger, stored_event):
    event = _processed(stored_event())

    request = SchedulingRequest.objects.get()
    assert (request.workflow_id, request.candidate_id, request.job_id) == (WORKFLOW_ID, CANDIDATE_ID, JOB_ID)
    assert (request.trigger_stage, request.state, request.last_event) == (sandbox_stages["trigger"], "pending", event)
    assert event.state == WebhookEvent.State.PROCESSED
    assert event.outcome == (
        f"Started scheduling request {request.pk} for workflow {WORKFLOW_ID} at stage "
        f"Interview / First Interview - Schedule ({TRIGGER})."
    )


def test_the_status_iCIMS_shows_now_decides_not_the_one_in_the_event(sandbox_stages, stored_event, sandbox):
    sandbox.change_status(int(WORKFLOW_ID), NOT_A_TRIGGER, notify=False)

    event = _processed(stored_event(newStatus=TRIGGER))

    assert not SchedulingRequest.objects.exists()
    assert "does not trigger scheduling" in event.outcome


def test_processing_the_same_event_twice_gives_one_request_and_the_same_outcome(
    sandbox_stages, at_trigger, stored_event
):
    event = _processed(stored_event())
    first_outcome = event.outcome
    WebhookEvent.objects.filter(pk=event.pk).update(state=WebhookEvent.State.RECEIVED)  # as a replay does

    again = _processed(event)

    assert SchedulingRequest.objects.count() == 1
    assert again.outcome == first_outcome


def test_a_second_notification_of_the_same_move_refreshes_the_request(sandbox_stages, at_trigger, stored_event):
    _processed(stored_event())
    second = _processed(stored_event())

    request = SchedulingRequest.objects.get()
    assert request.last_event == second
    assert "already pending" in second.outcome


def test_the_candidate_and_the_job_are_mirrored_when_the_sync_has_not_got_them_yet(
    sandbox_stages, at_trigger, stored_event, sandbox_connection
):
    _processed(stored_event())

    assert Candidate.objects.filter(connection=sandbox_connection, icims_id=CANDIDATE_ID).exists()
    assert Job.objects.filter(connection=sandbox_connection, icims_id=JOB_ID).exists()


def test_shadow_mode_only_says_what_it_would_have_done(
    sandbox_stages, at_trigger, stored_event, sandbox_connection, sandbox_calls
):
    sandbox_connection.trigger_mode = Connection.TriggerMode.SHADOW
    sandbox_connection.save()

    event = _processed(stored_event())

    assert event.state == WebhookEvent.State.PROCESSED
    assert event.outcome == (
        f"Shadow mode: would have started a scheduling request for workflow {WORKFLOW_ID} at "
        f"stage Interview / First Interview - Schedule ({TRIGGER})."
    )
    assert not SchedulingRequest.objects.exists()
    assert {method for method, path in sandbox_calls if not path.startswith("/oauth/")} == {"GET"}
    assert not Job.objects.exists()


def test_with_triggers_off_the_event_is_ignored_and_says_so(
    sandbox_stages, at_trigger, stored_event, sandbox_connection
):
    sandbox_connection.trigger_mode = Connection.TriggerMode.OFF
    sandbox_connection.save()

    event = _processed(stored_event())

    assert event.state == WebhookEvent.State.IGNORED
    assert "Scheduling triggers are off" in event.outcome
    assert not SchedulingRequest.objects.exists()


def test_a_status_that_is_no_stage_asks_whether_the_stages_were_imported(sandbox_connection, at_trigger, stored_event):
    event = _processed(stored_event())

    assert event.state == WebhookEvent.State.PROCESSED
    assert f"First Interview - Schedule ({TRIGGER}), which is not an active stage" in event.outcome
    assert "Were the stages imported" in event.outcome


def test_an_inactive_stage_does_not_trigger(sandbox_stages, at_trigger, stored_event):
    sandbox_stages["trigger"].is_active = False
    sandbox_stages["trigger"].save()

    event = _processed(stored_event())

    assert not SchedulingRequest.objects.exists()
    assert "not an active stage" in event.outcome


def test_a_workflow_iCIMS_does_not_know_fails_the_event_with_the_reason(sandbox_stages, sandbox, stored_event):
    event = _processed(stored_event(systemId="99999999"))

    assert event.state == WebhookEvent.State.FAILED
    assert "iCIMS does not show applicant workflow 99999999" in event.outcome
    assert event.attempts == 1


def test_an_iCIMS_outage_puts_the_event_back_for_the_sweeper(
    sandbox_stages, at_trigger, stored_event, sandbox, settings
):
    settings.ICIMS_MAX_ATTEMPTS = 1
    sandbox.faults.inject("error", count=1, path="applicantworkflows")

    event = _processed(stored_event())

    assert event.state == WebhookEvent.State.RECEIVED
    assert "IcimsServerError" in event.last_error
    assert event.outcome.startswith("Attempt 1 of 5 failed; retried soon. IcimsServerError")
    assert not SchedulingRequest.objects.exists()


def test_an_event_failing_every_attempt_ends_failed(sandbox_stages, at_trigger, stored_event, sandbox, settings):
    settings.ICIMS_MAX_ATTEMPTS = 1
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    sandbox.faults.inject("error", count=2, path="applicantworkflows")
    event = _processed(stored_event())

    event = _processed(event)

    assert event.state == WebhookEvent.State.FAILED
    assert event.outcome.startswith(
        "Failed after 2 attempts, left for a person to replay. Last error: IcimsServerError"
    )


def test_a_cancelled_request_is_reopened_by_a_later_trigger(sandbox_stages, at_trigger, stored_event):
    _processed(stored_event())
    scheduling_request_cancel(scheduling_request=SchedulingRequest.objects.get())

    event = _processed(stored_event())

    request = SchedulingRequest.objects.get()
    assert (request.state, request.cancelled_at, request.last_event) == ("pending", None, event)
    assert "Reopened" in event.outcome and "(it was cancelled)" in event.outcome


def test_an_event_older_than_the_scheduling_does_not_reopen_the_request(sandbox_stages, at_trigger, stored_event):
    late_copy = stored_event()
    WebhookEvent.objects.filter(pk=late_copy.pk).update(received_at=timezone.now() - timedelta(minutes=1))
    _processed(stored_event())
    scheduling_request_mark_scheduled(scheduling_request=SchedulingRequest.objects.get())

    event = _processed(late_copy)

    assert SchedulingRequest.objects.get().state == "scheduled"
    assert "nothing changed" in event.outcome


def test_the_next_interview_round_moves_the_request_and_makes_it_pending(
    sandbox_stages, at_trigger, stored_event, sandbox
):
    _processed(stored_event())
    sandbox.change_status(int(WORKFLOW_ID), SECOND_TRIGGER, notify=False)

    event = _processed(stored_event(newStatus=SECOND_TRIGGER))

    request = SchedulingRequest.objects.get()
    assert (request.trigger_stage, request.state) == (sandbox_stages["second"], "pending")
    assert "moved from stage" in event.outcome


def test_an_employee_applying_internally_is_mirrored_as_a_user_and_kept_as_a_candidate_out_of_scope(
    sandbox_stages, sandbox, stored_event, sandbox_connection
):
    employee = sandbox.user_ids[0]
    workflow = sandbox.create_workflow(person_id=employee, job_id=int(JOB_ID), status_id=TRIGGER)

    _processed(stored_event(systemId=str(workflow.id), personId=str(employee)))

    assert SchedulingRequest.objects.get().candidate_id == str(employee)
    assert IcimsUser.objects.get(connection=sandbox_connection, icims_id=employee).scope_state == "in_scope"
    assert Candidate.objects.get(connection=sandbox_connection, icims_id=employee).scope_state == "out_of_scope"
