"""Sending from the outbox: claimed by one worker, retried on a schedule, dead with a reason, held while paused,
in its tenant's urgent lane."""

from __future__ import annotations

from django.utils import timezone

from integrations.models import Writeback
from integrations.services.icims_clients import icims_circuit_breaker
from integrations.services.urgent_lane import BUSY_REASON, SLOW_REASON, tenant_mark_slow, urgent_lane
from integrations.services.writeback_enqueue import writeback_enqueue
from integrations.services.writeback_send import writeback_claim, writeback_send
from tests.integrations.conftest import TRIGGER, WORKFLOW_ID


def _make_due(writeback: Writeback) -> None:
    Writeback.objects.filter(pk=writeback.pk).update(next_attempt_at=timezone.now())


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


def test_a_paused_connection_holds_its_writebacks_without_using_attempts(advance, sandbox_connection, sandbox_calls):
    sandbox_connection.is_active = False
    sandbox_connection.save()

    held = writeback_send(writeback_id=advance.pk)

    assert (held.state, held.attempts) == (Writeback.State.RETRYING, 0)
    assert "paused" in held.last_error
    assert not sandbox_calls


def test_over_the_tenants_share_of_urgent_slots_a_send_comes_back_in_a_moment_attempts_intact(
    advance, sandbox_connection, sandbox_calls, settings
):
    settings.URGENT_TENANT_CONCURRENCY = 1

    with urgent_lane(connection=sandbox_connection):  # another urgent task of the tenant running
        waiting = writeback_send(writeback_id=advance.pk)

    assert (waiting.state, waiting.attempts, waiting.waiting_reason) == (Writeback.State.RETRYING, 0, BUSY_REASON)
    assert (waiting.next_attempt_at - timezone.now()).total_seconds() <= settings.URGENT_TENANT_BUSY_RETRY_SECONDS
    assert not sandbox_calls


def test_a_slow_tenants_writeback_is_sent_by_the_sync_workers_attempts_intact(
    advance, sandbox_connection, sandbox_calls, django_capture_on_commit_callbacks
):
    tenant_mark_slow(connection=sandbox_connection)  # an urgent call of it timed out a moment ago

    with django_capture_on_commit_callbacks() as sent:
        handed = writeback_send(writeback_id=advance.pk)

    assert (handed.state, handed.attempts, handed.waiting_reason) == (Writeback.State.RETRYING, 0, SLOW_REASON)
    assert len(sent) == 1 and not sandbox_calls
    done = writeback_send(writeback_id=advance.pk, patient=True)  # what the sync worker's task runs
    assert (done.state, done.attempts) == (Writeback.State.SUCCEEDED, 1)
