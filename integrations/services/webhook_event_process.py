"""Process one stored event: claim the row, dispatch on its type, record the outcome.

Only the worker whose conditional UPDATE moved the row from "received" to "processing" goes on,
so a message delivered twice (acks_late, the sweeper, a replay) is processed once.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from integrations.models import WebhookEvent

from .webhook_event_types import EVENT_TYPES, Handling, handling_for

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
    _finish(event, state=state, outcome=outcome, last_error="")
    return event


def _dispatch(event: WebhookEvent) -> tuple[str, str]:
    if not event.connection.is_active:
        return WebhookEvent.State.IGNORED, "The connection is paused; replay to process once it is resumed."
    if handling_for(event.event_type) == Handling.IGNORE:
        return WebhookEvent.State.IGNORED, f"{event.event_type} events are stored but not used."
    return EVENT_TYPES[event.event_type].processor(event=event)


def _finish(event: WebhookEvent, *, state: str, last_error: str, outcome: str | None = None) -> None:
    now = timezone.now()
    changes = {"state": state, "state_changed_at": now, "last_error": last_error}
    if outcome is not None:
        changes["outcome"] = outcome
    if state == WebhookEvent.State.PROCESSED:
        changes["processed_at"] = now
    # Only while still ours: if the sweeper took the row back after our lease ran out, it wins.
    WebhookEvent.objects.filter(pk=event.pk, state=WebhookEvent.State.PROCESSING, attempts=event.attempts).update(
        **changes
    )
    for name, value in changes.items():
        setattr(event, name, value)
