"""Process stored events: claim the rows, dispatch on each one's type, record the outcomes.

Only the worker whose conditional UPDATE moved a row from "received" to "processing" goes on, so a
message delivered twice (acks_late, the sweeper, a replay) is processed once.

Events come in batches (the listener sends one task per connection and batch, webhook_events_queue_new.py)
and cost per batch, not per event, whatever the batch can share: one UPDATE claims them all, one SELECT
loads them with their connection, the iCIMS client and stage look-ups are made once
(webhook_event_batch.py), and the results are written together, one UPDATE per distinct result and one
rollup write per hourly bucket. Results are written at least every FLUSH_SECONDS, so events waiting on a
slow iCIMS never hold finished ones back for long.

An event that must wait (work_waits.py: iCIMS asked us to slow down, a budget is spent, the breaker
is open, the connection is paused) goes back to "received" with its attempt given back, and comes
back when it may go on; only real failures count towards WEBHOOK_MAX_ATTEMPTS.

On the urgent workers each connection's events run in its tenant's urgent lane (urgent_lane.py): short
iCIMS timeouts, a cap on the tenant's concurrent urgent work (over it: back in a second), and a tenant
whose iCIMS timed out hands its events to the sync workers (`patient`: the full timeouts), attempts intact.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.icims.errors import IcimsTimeout
from integrations.models import SECRET_FIELDS, Connection, HourlyActivity, WebhookEvent

from .hourly_activity_record import hourly_activity_record_many
from .task_queue import WEBHOOK_EVENT_PROCESS, WEBHOOK_EVENT_PROCESS_PATIENT, WEBHOOK_EVENTS_PROCESS, task_enqueue
from .urgent_lane import SLOW_REASON, TenantSlow, UrgentLaneBusy, tenant_mark_slow, urgent_lane, urgent_timeouts
from .webhook_event_batch import WebhookEventBatch
from .webhook_event_types import EVENT_TYPES, Handling, handling_for
from .work_waits import ConnectionPaused, Wait, wait_for

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0


@dataclass
class _Ending:
    """How one event ends this attempt, written later with the others that end the same way."""

    event: WebhookEvent
    state: str
    last_error: str = ""
    outcome: str | None = None
    waiting: Wait | None = None
    give_back_attempt: bool = False  # a wait, not a failure: the attempt does not count
    resend_to: str = WEBHOOK_EVENT_PROCESS  # the task a wait's countdown (or a hand-over) sends it back to
    resend_now: bool = False  # handed to the patient path: sent at once, whatever the wait says


def webhook_event_claim(*, event_id: int) -> bool:
    return bool(webhook_events_claim(event_ids=[event_id]))


def webhook_events_claim(*, event_ids: Sequence[int]) -> list[int]:
    """Move the events still "received" to "processing" (one statement); the ids this caller won."""
    if not event_ids:
        return []
    table = db_connection.ops.quote_name(WebhookEvent._meta.db_table)
    placeholders = ", ".join(["%s"] * len(event_ids))
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, attempts = attempts + 1, state_changed_at = %s "  # noqa: S608
            f"WHERE state = %s AND id IN ({placeholders}) RETURNING id",
            [WebhookEvent.State.PROCESSING, timezone.now(), WebhookEvent.State.RECEIVED, *event_ids],
        )
        return sorted(row[0] for row in cursor.fetchall())


def webhook_event_process(*, event_id: int, patient: bool = False) -> WebhookEvent | None:
    """Process the event if this caller wins the claim; None when another worker has it or it is done."""
    processed = webhook_events_process(event_ids=[event_id], patient=patient)
    return processed[0] if processed else None


def webhook_events_process(*, event_ids: Sequence[int], patient: bool = False) -> list[WebhookEvent]:
    """Process the events this caller wins the claim of, in id order; those events, as they ended.

    `patient`: on the sync workers, with the full iCIMS timeouts (a slow tenant's events); otherwise each
    connection's events run in its tenant's urgent lane."""
    claimed = webhook_events_claim(event_ids=event_ids)
    if not claimed:
        return []
    events = list(WebhookEvent.objects.filter(pk__in=claimed).order_by("pk"))
    # Each connection loaded once for the batch, not once per event. Its secrets load when the batch builds
    # its iCIMS client: one no key decrypts fails that event's attempt, with the reason, not the whole task.
    connections = Connection.objects.defer(*SECRET_FIELDS).in_bulk({event.connection_id for event in events})
    by_connection: dict[int, list[WebhookEvent]] = {}
    for event in events:
        event.connection = connections[event.connection_id]
        by_connection.setdefault(event.connection_id, []).append(event)
    for connection_id, group in by_connection.items():
        if patient:
            _process_group(group, WebhookEventBatch(), patient=True)
        else:
            _process_in_urgent_lane(connections[connection_id], group)
    return events


def _process_in_urgent_lane(connection: Connection, group: list[WebhookEvent]) -> None:
    try:
        with urgent_lane(connection=connection):
            timeouts = urgent_timeouts()
            _process_group(group, WebhookEventBatch(timeouts=(timeouts.connect, timeouts.read)), patient=False)
    except UrgentLaneBusy as exc:
        retry_at = timezone.now() + timedelta(seconds=settings.URGENT_TENANT_BUSY_RETRY_SECONDS)
        _write([_waits(event, Wait(reason=str(exc), until=retry_at), patient=False) for event in group])
    except TenantSlow:
        _write([_handed_to_patient_path(event) for event in group])


def _process_group(events: list[WebhookEvent], batch: WebhookEventBatch, *, patient: bool) -> None:
    """One connection's events, in order; results written at least every FLUSH_SECONDS."""
    pending: list[_Ending] = []
    flushed_at = time.monotonic()
    for position, event in enumerate(events):
        try:
            ending = _process(event, batch, patient=patient)
        except SoftTimeLimitExceeded:
            # The task's time is up: what is not done goes back to the queue, its attempt given back.
            unstarted = events[position:]
            requeued = [
                _Ending(left, WebhookEvent.State.RECEIVED, last_error=left.last_error, give_back_attempt=True)
                for left in unstarted
            ]
            _write([*pending, *requeued])
            task_enqueue(name=WEBHOOK_EVENTS_PROCESS, args=([left.pk for left in unstarted],))
            logger.warning("Webhook batch stopped by its time limit; %s event(s) queued again", len(unstarted))
            raise
        except IcimsTimeout:
            # Urgent only (the patient path counts a timeout as a failure): the tenant is slow, so this event
            # and the rest of its batch go to the sync workers at once, without trying the short timeout again.
            tenant_mark_slow(connection=event.connection)
            _write([*pending, *(_handed_to_patient_path(left) for left in events[position:])])
            return
        pending.append(ending)
        if time.monotonic() - flushed_at >= FLUSH_SECONDS:
            _write(pending)
            pending, flushed_at = [], time.monotonic()
    _write(pending)


def _process(event: WebhookEvent, batch: WebhookEventBatch, *, patient: bool) -> _Ending:
    try:
        state, outcome = _dispatch(event, batch)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        if isinstance(exc, IcimsTimeout) and not patient:
            raise  # the urgent lane's short timeout: _process_group hands the tenant's events over
        wait = wait_for(exc)
        if wait is not None:
            return _waits(event, wait, patient=patient)
        logger.exception("Webhook event %s failed (attempt %s)", event.pk, event.attempts)
        gave_up = event.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
        error = f"{type(exc).__name__}: {exc}"
        if gave_up:
            outcome = f"Failed after {event.attempts} attempts, left for a person to replay. Last error: {error}"
        else:
            outcome = f"Attempt {event.attempts} of {settings.WEBHOOK_MAX_ATTEMPTS} failed; retried soon. {error}"
        # Back to "received" (the sweeper retries after a pause) until the attempts run out.
        state = WebhookEvent.State.FAILED if gave_up else WebhookEvent.State.RECEIVED
        return _Ending(event, state, last_error=error[:2000], outcome=outcome[:2000])
    return _Ending(event, state, outcome=outcome)


def _waits(event: WebhookEvent, wait: Wait, *, patient: bool) -> _Ending:
    """Back to "received" without spending the attempt; re-sent when the wait ends (a short one as a
    countdown, on the path it came by; a long one by the sweeper, a paused connection's by its resume)."""
    logger.info("Webhook event %s waits until %s: %s", event.pk, wait.until or "the connection is resumed", wait.reason)
    resend_to = WEBHOOK_EVENT_PROCESS_PATIENT if patient else WEBHOOK_EVENT_PROCESS
    return _Ending(event, WebhookEvent.State.RECEIVED, waiting=wait, give_back_attempt=True, resend_to=resend_to)


def _handed_to_patient_path(event: WebhookEvent) -> _Ending:
    """Back to "received" with its attempt given back, sent to the sync workers (the full timeouts) at once.
    It shows as waiting until the slow mark lapses, so the sweeper leaves it to that message meanwhile."""
    logger.info("Webhook event %s: iCIMS is slow for this connection, handed to the sync workers", event.pk)
    until = timezone.now() + timedelta(seconds=settings.URGENT_SLOW_TENANT_SECONDS)
    return _Ending(
        event,
        WebhookEvent.State.RECEIVED,
        waiting=Wait(reason=SLOW_REASON, until=until),
        give_back_attempt=True,
        resend_to=WEBHOOK_EVENT_PROCESS_PATIENT,
        resend_now=True,
    )


def _dispatch(event: WebhookEvent, batch: WebhookEventBatch) -> tuple[str, str]:
    if not event.connection.is_active:
        raise ConnectionPaused()
    if handling_for(event.event_type) == Handling.IGNORE:
        return WebhookEvent.State.IGNORED, f"{event.event_type} events are stored but not used."
    return EVENT_TYPES[event.event_type].processor(event=event, batch=batch)


def _changes(ending: _Ending, now: datetime) -> dict:
    changes = {"state": ending.state, "state_changed_at": now, "last_error": ending.last_error}
    if ending.outcome is not None:
        changes["outcome"] = ending.outcome
    if ending.state == WebhookEvent.State.PROCESSED:
        changes["processed_at"] = now
    if ending.waiting is not None:
        changes.update(
            waiting_since=ending.event.waiting_since or now,
            waiting_until=ending.waiting.until,
            waiting_reason=ending.waiting.reason,
        )
    else:  # processed, ignored, failed, or back for a real retry: no longer waiting
        changes.update(waiting_since=None, waiting_until=None, waiting_reason="")
    return changes


def _write(endings: list[_Ending]) -> None:
    """One UPDATE per distinct ending, each only for rows still ours: if the sweeper took a row back after
    our lease ran out, it wins. Then one rollup write per (connection, outcome) and the waits' countdowns."""
    now = timezone.now()
    groups: dict[tuple, list[_Ending]] = {}
    for ending in endings:
        key = (ending.event.attempts, ending.give_back_attempt, tuple(sorted(_changes(ending, now).items())))
        groups.setdefault(key, []).append(ending)
    durations: dict[tuple[int, str], list[float]] = {}
    for (attempts, give_back_attempt, items), members in groups.items():
        changes = dict(items)
        update = {**changes, "attempts": F("attempts") - 1} if give_back_attempt else changes
        finished = WebhookEvent.objects.filter(
            pk__in=[ending.event.pk for ending in members], state=WebhookEvent.State.PROCESSING, attempts=attempts
        ).update(**update)
        for ending in members:
            for name, value in changes.items():
                setattr(ending.event, name, value)
            ending.event.attempts -= int(give_back_attempt)
        state = changes["state"]
        if state != WebhookEvent.State.RECEIVED:  # back to "received" is a retry, not an end
            # Rows the sweeper took back are rare (a lease of minutes); the rollup then counts the first ones.
            for ending in members[:finished]:
                key = (ending.event.connection_id, state)
                durations.setdefault(key, []).append((now - ending.event.received_at).total_seconds())
        for ending in members:
            countdown = 0.0 if ending.resend_now else (ending.waiting.countdown if ending.waiting else None)
            if countdown is not None:
                transaction.on_commit(
                    lambda task=ending.resend_to, event_id=ending.event.pk, countdown=countdown: task_enqueue(
                        name=task, args=(event_id,), countdown=countdown or None
                    ),
                    robust=True,
                )
    for (connection_id, state), seconds in durations.items():
        hourly_activity_record_many(
            connection_id=connection_id,
            series=HourlyActivity.Series.WEBHOOK_EVENTS,
            label=state,
            durations=seconds,
            at=now,
        )
