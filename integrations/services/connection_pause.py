"""Pausing and resuming connections: a paused connection is neither synced nor takes webhooks.

Pausing holds the connection's queued work (webhook events, write-backs: work_waits.py) and stops a
sync run in flight at its next call; resuming sends the held work on its way again.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Connection, WebhookEvent, Writeback
from .webhook_event_ingest import webhook_event_enqueue
from .writeback_enqueue import writeback_task_enqueue

logger = logging.getLogger(__name__)


def connections_set_active(*, connections: QuerySet[Connection], active: bool) -> list[Connection]:
    """Pause (active=False) or resume connections; returns the ones whose state actually changed."""
    to_change = list(connections.exclude(is_active=active))
    for connection in to_change:
        with transaction.atomic():
            connection.is_active = active
            connection.updated_at = timezone.now()
            # A save, not a queryset update, so the model's own save logic and signals run as for any edit.
            connection.save(update_fields=["is_active", "updated_at"])
            held = connection_held_work_resume(connection=connection) if active else None
        logger.info(
            "Connection %s (CustomerId %s) %s%s",
            connection.name,
            connection.customer_id,
            "resumed" if active else "paused",
            f"; {held[0]} webhook events and {held[1]} write-backs sent on their way" if held else "",
        )
    return to_change


def connection_held_work_resume(*, connection: Connection) -> tuple[int, int]:
    """Enqueue the webhook events and write-backs the pause held (after commit); returns how many of each."""
    now = timezone.now()
    events = list(
        WebhookEvent.objects.filter(connection=connection, state=WebhookEvent.State.RECEIVED).values_list(
            "pk", flat=True
        )
    )
    WebhookEvent.objects.filter(pk__in=events, state=WebhookEvent.State.RECEIVED).update(
        state_changed_at=now, waiting_since=None, waiting_until=None, waiting_reason=""
    )
    waiting = Writeback.objects.filter(
        connection=connection, state__in=[Writeback.State.PENDING, Writeback.State.RETRYING]
    )
    writebacks = list(waiting.values_list("pk", flat=True))
    # A write-back waiting on iCIMS (a pause it asked for, a budget) keeps its time; a held one is due now.
    waiting.filter(next_attempt_at__isnull=True).update(waiting_since=None, waiting_reason="", updated_at=now)
    for event_id in events:
        transaction.on_commit(lambda event_id=event_id: webhook_event_enqueue(event_id=event_id), robust=True)
    for writeback_id in writebacks:
        transaction.on_commit(
            lambda writeback_id=writeback_id: writeback_task_enqueue(writeback_id=writeback_id), robust=True
        )
    return len(events), len(writebacks)
