"""Process one stored event: claim the row, dispatch on its type, record the outcome.

Only the worker whose conditional UPDATE moved the row from "received" to "processing" goes on,
so a message delivered twice (acks_late, the sweeper, a replay) is processed once.

An event that must wait (work_waits.py: iCIMS asked us to slow down, a budget is spent, the breaker
is open, the connection is paused) goes back to "received" with its attempt given back, and comes
back when it may go on; only real failures count towards WEBHOOK_MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from integrations.models import WebhookEvent

from .webhook_event_ingest import webhook_event_enqueue
from .webhook_event_types import EVENT_TYPES, Handling, handling_for
from .work_waits import ConnectionPaused, Wait, wait_for

logger = logging.getLogger(__name__)


def webhook_event_claim(*, event_id: int) -> bool:
    claimed = WebhookEvent.objects.filter(pk=event_id, state=WebhookEvent.State.RECEIVED).update(
        state=WebhookEvent.State.PROCESSING, attempts=F("attempts") + 1, state_changed_at=timezone.now()
    )
    return claimed == 1


def webhook_event_process(*, event_id: int) -> WebhookEvent | None:
    """Process the event if this caller wins the claim; None when another worker has it or it is done."""
    if not webhook_event_claim(event_id=event_id):
        return None
    event = WebhookEvent.objects.select_related("connection").get(pk=event_id)
    try:
        state, outcome = _dispatch(event)
    except Exception as exc:
        wait = wait_for(exc)
        if wait is not None:
            _wait(event, wait)
            return event
        logger.exception("Webhook event %s failed (attempt %s)", event.pk, event.attempts)
        gave_up = event.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
        # Back to "received" (the sweeper retries after a pause) until the attempts run out.
        _finish(
            event,
            state=WebhookEvent.State.FAILED if gave_up else WebhookEvent.State.RECEIVED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return event
    _finish(event, state=state, outcome=outcome, last_error="")
    return event


def _dispatch(event: WebhookEvent) -> tuple[str, str]:
    if not event.connection.is_active:
        raise ConnectionPaused()
    if handling_for(event.event_type) == Handling.IGNORE:
        return WebhookEvent.State.IGNORED, f"{event.event_type} events are stored but not used."
    return EVENT_TYPES[event.event_type].processor(event=event)


def _wait(event: WebhookEvent, wait: Wait) -> None:
    """Back to "received" without spending the attempt; re-enqueued when the wait ends (a short one as a
    countdown, a long one by the sweeper, a paused connection's by its resume)."""
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
        transaction.on_commit(lambda: webhook_event_enqueue(event_id=event.pk, countdown=countdown), robust=True)


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
    WebhookEvent.objects.filter(pk=event.pk, state=WebhookEvent.State.PROCESSING, attempts=event.attempts).update(
        **changes
    )
    for name, value in changes.items():
        setattr(event, name, value)
    if attempts is not None:
        event.refresh_from_db(fields=["attempts"])
