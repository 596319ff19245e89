"""Send stored events through processing again (an admin's decision, e.g. after a fix)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from integrations.models import Connection, WebhookEvent
from integrations.services.webhook_event_ingest import webhook_event_enqueue


def webhook_events_replay(*, events: QuerySet[WebhookEvent]) -> int:
    """Reset the events to "received" with fresh attempts and enqueue them; returns how many.

    Events a worker holds right now are left alone: replaying them would process them twice.
    """
    with transaction.atomic():
        replayable = events.exclude(state=WebhookEvent.State.PROCESSING)
        event_ids = list(replayable.values_list("pk", flat=True))
        WebhookEvent.objects.filter(pk__in=event_ids).exclude(state=WebhookEvent.State.PROCESSING).update(
            state=WebhookEvent.State.RECEIVED,
            state_changed_at=timezone.now(),
            attempts=0,
            last_error="",
            outcome="",
            processed_at=None,
        )
        for event_id in event_ids:
            transaction.on_commit(lambda event_id=event_id: webhook_event_enqueue(event_id=event_id), robust=True)
    return len(event_ids)


def webhook_events_replay_failed(*, since: datetime, connection: Connection | None = None) -> int:
    events = WebhookEvent.objects.filter(state=WebhookEvent.State.FAILED, received_at__gte=since)
    if connection is not None:
        events = events.filter(connection=connection)
    return webhook_events_replay(events=events)
