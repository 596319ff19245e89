"""Waiting is not failing: when iCIMS asks us to slow down, spends our allowance or the breaker is open,
webhook events and write-backs wait for their turn, keep every attempt, and go through afterwards."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.icims.errors import IcimsBudgetExhausted, IcimsCircuitOpen, IcimsRateLimited, IcimsServerError
from integrations.models import Connection, SchedulingRequest, WebhookEvent, Writeback
from integrations.services.connection_pause import connections_set_active
from integrations.services.webhook_event_process import webhook_event_process
from integrations.services.webhook_events_sweep import webhook_events_sweep
from integrations.services.work_waits import PAUSED_REASON, wait_for
from integrations.services.writeback_enqueue import writeback_enqueue
from integrations.services.writeback_send import writeback_send
from integrations.services.writebacks_due_sweep import writebacks_due_sweep
from tests.integrations.conftest import SCHEDULED, TRIGGER

WORKFLOWS = ("10002", "10003", "10004")


@pytest.fixture
def advances(sandbox, sandbox_connection, sandbox_stages):
    """Three queued advances, one per workflow, each from the trigger status to the next."""
    rows = []
    for workflow_id in WORKFLOWS:
        sandbox.change_status(int(workflow_id), TRIGGER, notify=False)
        rows.append(
            writeback_enqueue(
                connection=sandbox_connection,
                action=Writeback.Action.ADVANCE_STATUS,
                idempotency_key=f"advance-{workflow_id}",
                payload={"workflow_id": workflow_id, "from_status_id": TRIGGER, "to_status_id": SCHEDULED},
            )
        )
    return rows


def _send_everything_until_done(events, writebacks, *, seconds: float = 20) -> None:
    """What the workers and sweepers do, in this process: try each unfinished row whenever it may go."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for event in events:
            webhook_event_process(event_id=event.pk)  # a row that is done is not claimed again
        for writeback in writebacks:
            writeback_send(writeback_id=writeback.pk)  # a row whose time has not come is not claimed
        pending_events = WebhookEvent.objects.filter(state=WebhookEvent.State.RECEIVED).exists()
        pending_writebacks = Writeback.objects.exclude(state=Writeback.State.SUCCEEDED).exists()
        if not (pending_events or pending_writebacks):
            return
        time.sleep(0.2)


def test_a_429_storm_ends_with_every_event_processed_and_every_writeback_sent_each_with_its_attempts_intact(
    sandbox, sandbox_stages, stored_event, advances, sandbox_calls
):
    events = [stored_event(workflow_id=workflow_id) for workflow_id in (*WORKFLOWS, "10005", "10006")]
    sandbox.faults.inject("rate_limit", count=4, retry_after=1, path=r"/applicantworkflows/")

    _send_everything_until_done(events, advances)

    refused = [call for call in sandbox_calls if call[1].startswith("/customers/1000/applicantworkflows/")]
    assert len(refused) > len(events) + len(advances)  # the storm happened
    for event in WebhookEvent.objects.all():
        assert (event.state, event.attempts, event.waiting_reason) == (WebhookEvent.State.PROCESSED, 1, "")
    for writeback in Writeback.objects.all():
        assert (writeback.state, writeback.attempts, writeback.waiting_since) == (
            Writeback.State.SUCCEEDED,
            1,
            None,
        )


def test_an_event_that_must_wait_records_why_and_until_when_and_keeps_its_attempt(
    sandbox, sandbox_stages, stored_event, django_capture_on_commit_callbacks
):
    event = stored_event()
    sandbox.faults.inject("rate_limit", count=1, retry_after=30, path=r"/applicantworkflows/")

    with django_capture_on_commit_callbacks() as enqueued:
        webhook_event_process(event_id=event.pk)

    event.refresh_from_db()
    assert (event.state, event.attempts) == (WebhookEvent.State.RECEIVED, 0)
    assert "429" in event.waiting_reason
    assert timedelta(seconds=28) < event.waiting_until - timezone.now() <= timedelta(seconds=30)
    assert len(enqueued) == 1  # a countdown to the moment the pause ends


def test_a_spent_daily_allowance_holds_work_until_the_reset_at_midnight_utc_then_sends_it(
    sandbox, sandbox_stages, stored_event, advances
):
    sandbox.clock.advance(timedelta(hours=5, minutes=59, seconds=58))  # two seconds before midnight UTC
    sandbox.allowance._used = sandbox.allowance.limit  # today's allowance is spent
    event = stored_event()

    webhook_event_process(event_id=event.pk)
    writeback_send(writeback_id=advances[0].pk)

    event.refresh_from_db()
    held = Writeback.objects.get(pk=advances[0].pk)
    assert (event.state, event.attempts, held.state, held.attempts) == (
        WebhookEvent.State.RECEIVED,
        0,
        Writeback.State.RETRYING,
        0,
    )
    assert event.waiting_until <= timezone.now() + timedelta(seconds=3)
    assert held.waiting_reason and held.next_attempt_at <= timezone.now() + timedelta(seconds=3)

    time.sleep(2.1)
    sandbox.clock.advance(seconds=3)  # a new day at iCIMS too
    _send_everything_until_done([event], [held], seconds=5)

    event.refresh_from_db()
    held.refresh_from_db()
    assert (event.state, event.attempts) == (WebhookEvent.State.PROCESSED, 1)
    assert (held.state, held.attempts) == (Writeback.State.SUCCEEDED, 1)


def test_an_event_waiting_hours_for_the_reset_is_left_alone_by_the_sweeper_until_its_time(
    sandbox_connection, stored_event, django_capture_on_commit_callbacks, settings
):
    now = timezone.now()
    event = stored_event()
    WebhookEvent.objects.filter(pk=event.pk).update(
        state_changed_at=now - timedelta(hours=1),
        waiting_since=now - timedelta(hours=1),
        waiting_until=now + timedelta(hours=5),
        waiting_reason="Call budget spent",
    )

    with django_capture_on_commit_callbacks() as enqueued:
        assert webhook_events_sweep().requeued == 0
        assert webhook_events_sweep(now=now + timedelta(hours=5, seconds=1)).requeued == 1

    assert len(enqueued) == 1


def test_pausing_holds_queued_work_and_resuming_sends_it_on_its_way(
    sandbox, sandbox_connection, sandbox_stages, stored_event, advances, django_capture_on_commit_callbacks
):
    event = stored_event()
    connections_set_active(connections=Connection.objects.filter(pk=sandbox_connection.pk), active=False)

    webhook_event_process(event_id=event.pk)
    writeback_send(writeback_id=advances[0].pk)
    assert webhook_events_sweep().requeued == 0
    assert writebacks_due_sweep().enqueued == 0  # held, not due

    event.refresh_from_db()
    held = Writeback.objects.get(pk=advances[0].pk)
    assert (event.state, event.attempts, event.waiting_reason) == (WebhookEvent.State.RECEIVED, 0, PAUSED_REASON)
    assert (held.state, held.attempts, held.next_attempt_at, held.waiting_reason) == (
        Writeback.State.RETRYING,
        0,
        None,
        PAUSED_REASON,
    )

    with django_capture_on_commit_callbacks() as enqueued:
        connections_set_active(connections=Connection.objects.filter(pk=sandbox_connection.pk), active=True)

    assert len(enqueued) == 1 + len(advances)  # the held event, the held write-back and the two never tried
    _send_everything_until_done([event], advances, seconds=5)
    event.refresh_from_db()
    assert (event.state, event.attempts) == (WebhookEvent.State.PROCESSED, 1)
    assert set(Writeback.objects.values_list("state", "attempts")) == {(Writeback.State.SUCCEEDED, 1)}
    assert SchedulingRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("error", "waits"),
    [
        (IcimsRateLimited("slow down", retry_after=5), True),
        (IcimsBudgetExhausted("spent", retry_after=600), True),
        (IcimsCircuitOpen("open", retry_after=60), True),
        (IcimsServerError("boom", status=503), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_what_icims_asked_us_to_wait_for_is_a_wait(error, waits):
    assert (wait_for(error) is not None) == waits


def test_a_short_wait_is_a_countdown_and_a_long_one_is_left_to_the_sweepers(settings):
    settings.WAIT_COUNTDOWN_MAX_SECONDS = 600
    assert wait_for(IcimsRateLimited("slow down", retry_after=5)).countdown == pytest.approx(5, abs=1)
    assert wait_for(IcimsBudgetExhausted("until midnight", retry_after=6 * 3600)).countdown is None
