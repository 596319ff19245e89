"""The outbox: each change sent once, retried on a schedule, dead with a reason, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import SchedulingRequest, Writeback
from integrations.services.icims_clients import icims_circuit_breaker
from integrations.services.interview_writebacks import interview_create
from integrations.services.writeback_enqueue import writeback_enqueue
from integrations.services.writeback_send import writeback_claim, writeback_send
from integrations.services.writebacks_due_sweep import writebacks_due_sweep
from tests.integrations.conftest import CANDIDATE_ID, JOB_ID, SCHEDULED, TRIGGER, WORKFLOW_ID


@pytest.fixture
def advance(sandbox_connection, sandbox_stages, sandbox):
    """A queued advance of the sandbox candidate from the trigger status to the next one."""
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    request = SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=WORKFLOW_ID,
        candidate_id=CANDIDATE_ID,
        job_id=JOB_ID,
        trigger_stage=sandbox_stages["trigger"],
        state="opened",
    )
    return writeback_enqueue(
        connection=sandbox_connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-1",
        scheduling_request=request,
        payload={"workflow_id": WORKFLOW_ID, "from_status_id": TRIGGER, "to_status_id": SCHEDULED},
    )


@pytest.fixture
def request_with_interview_sync(advance, sandbox_connection):
    sandbox_connection.interview_sync_enabled = True
    sandbox_connection.save()
    return advance.scheduling_request


def _make_due(writeback: Writeback) -> None:
    Writeback.objects.filter(pk=writeback.pk).update(next_attempt_at=timezone.now())


def _patches(calls) -> list:
    return [call for call in calls if call[0] == "PATCH"]


def test_the_same_key_is_one_row_and_one_send(advance, sandbox_connection, sandbox_calls):
    again = writeback_enqueue(
        connection=sandbox_connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-1",
        payload={"anything": "else"},
    )

    first, second = writeback_send(writeback_id=advance.pk), writeback_send(writeback_id=advance.pk)

    assert again.pk == advance.pk
    assert Writeback.objects.count() == 1
    assert first.state == Writeback.State.SUCCEEDED and second is None
    assert len(_patches(sandbox_calls)) == 1


def test_only_one_worker_claims_a_writeback(advance):
    assert writeback_claim(writeback_id=advance.pk)
    assert not writeback_claim(writeback_id=advance.pk)


def test_a_failing_send_is_retried_after_1_5_15_30_and_60_minutes_then_dead(advance, sandbox, settings):
    settings.ICIMS_BREAKER_THRESHOLD = 100  # the breaker would otherwise open after five failures in a row
    sandbox.faults.inject("error", count=100, path="applicantworkflows")
    waits = []
    for _ in range(5):
        before = timezone.now()
        sent = writeback_send(writeback_id=advance.pk)
        assert sent.state == Writeback.State.RETRYING
        waits.append(round((sent.next_attempt_at - before).total_seconds() / 60))
        _make_due(sent)

    dead = writeback_send(writeback_id=advance.pk)

    assert waits == [1, 5, 15, 30, 60]
    assert (dead.state, dead.attempts) == (Writeback.State.DEAD, 6)
    assert dead.last_error.startswith("Gave up after 6 attempts: IcimsServerError")
    attempts = list(dead.send_attempts.all())
    assert len(attempts) == 6
    assert {attempt.http_status for attempt in attempts} == {503}
    assert "x-transaction" in attempts[0].response_headers
    assert not any("authorization" in name.lower() for attempt in attempts for name in attempt.response_headers)
    advance.scheduling_request.refresh_from_db()
    assert advance.scheduling_request.advance_outcome.startswith("Advance from C51218 to C51219 failed: Gave up")


def test_a_retrying_writeback_is_not_sent_before_its_time(advance, sandbox):
    sandbox.faults.inject("error", count=1, path="applicantworkflows")
    writeback_send(writeback_id=advance.pk)

    assert writeback_send(writeback_id=advance.pk) is None
    _make_due(advance)
    assert writeback_send(writeback_id=advance.pk).state == Writeback.State.SUCCEEDED


def test_a_change_iCIMS_refuses_is_dead_at_once_with_the_reason(advance, sandbox_connection):
    refused = writeback_enqueue(
        connection=sandbox_connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-bad",
        payload={"workflow_id": WORKFLOW_ID, "from_status_id": TRIGGER, "to_status_id": "C00000"},
    )

    sent = writeback_send(writeback_id=refused.pk)

    assert (sent.state, sent.attempts) == (Writeback.State.DEAD, 1)
    assert sent.last_error.startswith("IcimsValidationError")
    assert sent.completed_at is not None


def test_an_open_circuit_postpones_the_send_without_using_an_attempt(
    advance, sandbox_connection, settings, sandbox_calls
):
    settings.ICIMS_BREAKER_THRESHOLD = 1
    icims_circuit_breaker(connection=sandbox_connection).record_failure()

    sent = writeback_send(writeback_id=advance.pk)

    assert (sent.state, sent.attempts) == (Writeback.State.RETRYING, 0)
    assert sent.next_attempt_at > timezone.now()
    assert "not counted" in sent.send_attempts.get().outcome
    assert not sandbox_calls


def test_the_sweep_sends_a_writeback_whose_message_got_lost(
    advance, sandbox, tasks_run_inline, settings, django_capture_on_commit_callbacks
):
    assert writebacks_due_sweep().enqueued == 0  # just queued: its own message is on its way
    Writeback.objects.filter(pk=advance.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.WRITEBACK_SWEEP_INTERVAL_SECONDS + 1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = writebacks_due_sweep()

    assert result.enqueued == 1
    advance.refresh_from_db()
    assert advance.state == Writeback.State.SUCCEEDED


def test_the_sweep_sends_retries_whose_time_has_come(advance, sandbox, django_capture_on_commit_callbacks):
    Writeback.objects.filter(pk=advance.pk).update(
        state=Writeback.State.RETRYING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert writebacks_due_sweep().enqueued == 0

    assert writebacks_due_sweep(now=timezone.now() + timedelta(minutes=6)).enqueued == 1


def test_a_create_whose_worker_vanished_mid_send_needs_review_not_a_resend(request_with_interview_sync, settings):
    create = interview_create(
        scheduling_request=request_with_interview_sync,
        title="First interview",
        start_time=timezone.now(),
        end_time=timezone.now() + timedelta(hours=1),
        location="",
        interviewers=[],
        external_id="gt-1",
    )
    assert writeback_claim(writeback_id=create.pk)
    Writeback.objects.filter(pk=create.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.WRITEBACK_SENDING_LEASE_SECONDS + 1)
    )

    result = writebacks_due_sweep()

    create.refresh_from_db()
    assert (result.needs_review, create.state) == (1, Writeback.State.DEAD)
    assert create.last_error.startswith("Needs review")


def test_the_sweep_sends_again_what_a_lost_worker_held_past_its_lease(advance, settings):
    assert writeback_claim(writeback_id=advance.pk)
    Writeback.objects.filter(pk=advance.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.WRITEBACK_SENDING_LEASE_SECONDS + 1)
    )

    result = writebacks_due_sweep()

    advance.refresh_from_db()
    assert (result.rescued, advance.state, advance.attempts) == (1, Writeback.State.RETRYING, 1)
    assert writeback_send(writeback_id=advance.pk).state == Writeback.State.SUCCEEDED


def test_an_unknown_action_is_refused(sandbox_connection):
    with pytest.raises(ValueError, match="Unknown write-back action 'email'"):
        writeback_enqueue(connection=sandbox_connection, action="email", idempotency_key="x", payload={})
    assert not Writeback.objects.exists()


def test_a_paused_connection_holds_its_writebacks_without_using_attempts(advance, sandbox_connection, sandbox_calls):
    sandbox_connection.is_active = False
    sandbox_connection.save()

    held = writeback_send(writeback_id=advance.pk)

    assert (held.state, held.attempts) == (Writeback.State.RETRYING, 0)
    assert "paused" in held.last_error
    assert not sandbox_calls
