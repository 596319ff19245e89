"""Process one stored event: claim the row, dispatch on its type, record the outcome.

Only the worker whose conditional UPDATE moved the row from "received" to "processing" goes on,
so a message delivered twice (acks_late, the sweeper, a replay) is processed once.

An event that must wait (work_waits.py: iCIMS asked us to slow down, a budget is spent, the breaker
is open, the connection is paused) goes back to "received" with its attempt given back, and comes
back when it may go on; only real failures count towards WEBHOOK_MAX_ATTEMPTS.

On the urgent workers an event runs in its tenant's urgent lane (urgent_lane.py): short iCIMS timeouts,
a cap on the tenant's concurrent urgent work (over it: back in a second), and a tenant whose iCIMS timed
out hands its events to the sync workers (`patient`: the full timeouts), attempts intact.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.icims.errors import IcimsTimeout
from integrations.models import HourlyActivity, WebhookEvent

from .hourly_activity_record import hourly_activity_record
from .task_queue import WEBHOOK_EVENT_PROCESS, WEBHOOK_EVENT_PROCESS_PATIENT, task_enqueue
from .urgent_lane import SLOW_REASON, TenantSlow, UrgentLaneBusy, tenant_mark_slow, urgent_lane, urgent_timeouts
from .webhook_event_types import EVENT_TYPES, Handling, handling_for
from .work_waits import ConnectionPaused, Wait, wait_for

logger = logging.getLogger(__name__)


def webhook_event_claim(*, event_id: int) -> bool:
    claimed = WebhookEvent.objects.filter(pk=event_id, state=WebhookEvent.State.RECEIVED).update(
        state=WebhookEvent.State.PROCESSING, attempts=F("attempts") + 1, state_changed_at=timezone.now()
    )
    return claimed == 1


def webhook_event_process(*, event_id: int, patient: bool = False) -> WebhookEvent | None:
    """Process the event if this caller wins the claim; None when another worker has it or it is done.

    `patient`: on the sync workers, with the full iCIMS timeouts (a slow tenant's event); otherwise in the
    tenant's urgent lane."""
    if not webhook_event_claim(event_id=event_id):
        return None
    event = WebhookEvent.objects.select_related("connection").get(pk=event_id)
    try:
        if patient:
            state, outcome = _dispatch(event, timeouts=None)
        else:
            with urgent_lane(connection=event.connection):
                timeouts = urgent_timeouts()
                state, outcome = _dispatch(event, timeouts=(timeouts.connect, timeouts.read))
    except UrgentLaneBusy as exc:
        retry_at = timezone.now() + timedelta(seconds=settings.URGENT_TENANT_BUSY_RETRY_SECONDS)
        _wait(event, Wait(reason=str(exc), until=retry_at))
        return event
    except TenantSlow:
        _hand_to_patient_path(event)
        return event
    except IcimsTimeout as exc:
        if patient:  # the full timeouts ran out too: a real failure
            return _failed(event, exc, patient=True)
        tenant_mark_slow(connection=event.connection)
        _hand_to_patient_path(event)
        return event
    except Exception as exc:
        return _failed(event, exc, patient=patient)
    _finish(event, state=state, outcome=outcome, last_error="")
    return event


def _failed(event: WebhookEvent, exc: Exception, *, patient: bool) -> WebhookEvent:
    """A wait (no attempt spent) or a real failure (back to "received" for the sweeper, or failed for good)."""
    wait = wait_for(exc)
    if wait is not None:
        _wait(event, wait, patient=patient)
        return event
    logger.exception("Webhook event %s failed (attempt %s)", event.pk, event.attempts)
    gave_up = event.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    error = f"{type(exc).__name__}: {exc}"
    if gave_up:
        outcome = f"Failed after {event.attempts} attempts, left for a person to replay. Last error: {error}"
    else:
        outcome = f"Attempt {event.attempts} of {settings.WEBHOOK_MAX_ATTEMPTS} failed; retried soon. {error}"
    # Back to "received" (the sweeper retries after a pause) until the attempts run out.
    _finish(
        event,
        state=WebhookEvent.State.FAILED if gave_up else WebhookEvent.State.RECEIVED,
        last_error=error[:2000],
        outcome=outcome[:2000],
    )
    return event


def _dispatch(event: WebhookEvent, *, timeouts: tuple[float, float] | None) -> tuple[str, str]:
    if not event.connection.is_active:
        raise ConnectionPaused()
    if handling_for(event.event_type) == Handling.IGNORE:
        return WebhookEvent.State.IGNORED, f"{event.event_type} events are stored but not used."
    return EVENT_TYPES[event.event_type].processor(event=event, timeouts=timeouts)


def _hand_to_patient_path(event: WebhookEvent) -> None:
    """Back to "received" with its attempt given back, sent to the sync workers (the full timeouts). It shows
    as waiting until the slow mark lapses, so the sweeper leaves it to that message meanwhile."""
    logger.info("Webhook event %s: iCIMS is slow for this connection, handed to the sync workers", event.pk)
    until = timezone.now() + timedelta(seconds=settings.URGENT_SLOW_TENANT_SECONDS)
    _finish(
        event,
        state=WebhookEvent.State.RECEIVED,
        last_error="",
        waiting=Wait(reason=SLOW_REASON, until=until),
        attempts=F("attempts") - 1,
    )
    transaction.on_commit(lambda: task_enqueue(name=WEBHOOK_EVENT_PROCESS_PATIENT, args=(event.pk,)), robust=True)


def _wait(event: WebhookEvent, wait: Wait, *, patient: bool = False) -> None:
    """Back to "received" without spending the attempt; re-enqueued when the wait ends (a short one as a
    countdown, on the path it came by; a long one by the sweeper, a paused connection's by its resume)."""
    logger.info("Webhook event %s waits until %s: %s", event.pk, wait.until or "the connection is resumed", wait.reason)
    _finish(
        event,
        state=WebhookEvent.State.RECEIVED,
        last_error="",
        waiting=wait,
        attempts=F("attempts") - 1,
    )
    countdown = wait.countdown
    if countdown is not None:
        task = WEBHOOK_EVENT_PROCESS_PATIENT if patient else WEBHOOK_EVENT_PROCESS
        transaction.on_commit(lambda: task_enqueue(name=task, args=(event.pk,), countdown=countdown), robust=True)


def _finish(
    event: WebhookEvent,
    *,
    state: str,
    last_error: str,
    outcome: str | None = None,
    waiting: Wait | None = None,
    attempts: F | None = None,
) -> None:
    now = timezone.now()
    changes = {"state": state, "state_changed_at": now, "last_error": last_error}
    if outcome is not None:
        changes["outcome"] = outcome
    if state == WebhookEvent.State.PROCESSED:
        changes["processed_at"] = now
    if waiting is not None:
        changes.update(
            waiting_since=event.waiting_since or now, waiting_until=waiting.until, waiting_reason=waiting.reason
        )
    else:  # processed, ignored, failed, or back for a real retry: no longer waiting
        changes.update(waiting_since=None, waiting_until=None, waiting_reason="")
    if attempts is not None:
        changes["attempts"] = attempts
    # Only while still ours: if the sweeper took the row back after our lease ran out, it wins.
    finished = WebhookEvent.objects.filter(
        pk=event.pk, state=WebhookEvent.State.PROCESSING, attempts=event.attempts
    ).update(**changes)
    for name, value in changes.items():
        setattr(event, name, value)
    if attempts is not None:
        event.refresh_from_db(fields=["attempts"])
    if finished and state != WebhookEvent.State.RECEIVED:  # back to "received" is a retry, not an end
        hourly_activity_record(
            connection_id=event.connection_id,
            series=HourlyActivity.Series.WEBHOOK_EVENTS,
            label=state,
            seconds=(now - event.received_at).total_seconds(),
            at=now,
        )
