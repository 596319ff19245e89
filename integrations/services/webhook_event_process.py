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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.models import Connection, HourlyActivity, WebhookEvent

from .hourly_activity_record import hourly_activity_record_many
from .task_queue import WEBHOOK_EVENTS_PROCESS, task_enqueue
from .webhook_event_batch import WebhookEventBatch
from .webhook_event_ingest import webhook_event_enqueue
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


def webhook_event_process(*, event_id: int) -> WebhookEvent | None:
    """Process the event if this caller wins the claim; None when another worker has it or it is done."""
    processed = webhook_events_process(event_ids=[event_id])
    return processed[0] if processed else None


def webhook_events_process(*, event_ids: Sequence[int]) -> list[WebhookEvent]:
    """Process the events this caller wins the claim of, in id order; those events, as they ended."""
    claimed = webhook_events_claim(event_ids=event_ids)
    if not claimed:
        return []
    events = list(WebhookEvent.objects.filter(pk__in=claimed).order_by("pk"))
    # Each connection loaded (and its secrets decrypted) once for the batch, not once per event.
    connections = Connection.objects.in_bulk({event.connection_id for event in events})
    for event in events:
        event.connection = connections[event.connection_id]
    batch = WebhookEventBatch()
    pending: list[_Ending] = []
    flushed_at = time.monotonic()
    for position, event in enumerate(events):
        try:
            pending.append(_process(event, batch))
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
        if time.monotonic() - flushed_at >= FLUSH_SECONDS:
            _write(pending)
            pending, flushed_at = [], time.monotonic()
    _write(pending)
    return events


def _process(event: WebhookEvent, batch: WebhookEventBatch) -> _Ending:
    try:
        state, outcome = _dispatch(event, batch)
    except SoftTimeLimitExceeded:
        raise
    except Exception as exc:
        wait = wait_for(exc)
        if wait is not None:
            logger.info(
                "Webhook event %s waits until %s: %s", event.pk, wait.until or "the connection is resumed", wait.reason
            )
            return _Ending(event, WebhookEvent.State.RECEIVED, waiting=wait, give_back_attempt=True)
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
            countdown = ending.waiting.countdown if ending.waiting else None
            if countdown is not None:
                transaction.on_commit(
                    lambda event_id=ending.event.pk, countdown=countdown: webhook_event_enqueue(
                        event_id=event_id, countdown=countdown
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
