"""Pausing and resuming connections: a paused connection is neither synced nor takes webhooks."""

from __future__ import annotations

import logging

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Connection

logger = logging.getLogger(__name__)


def connections_set_active(*, connections: QuerySet[Connection], active: bool) -> list[Connection]:
    """Pause (active=False) or resume connections; returns the ones whose state actually changed."""
    to_change = list(connections.exclude(is_active=active))
    for connection in to_change:
        connection.is_active = active
        connection.updated_at = timezone.now()
        # A save, not a queryset update, so the model's own save logic and signals run as for any edit.
        connection.save(update_fields=["is_active", "updated_at"])
        logger.info(
            "Connection %s (CustomerId %s) %s",
            connection.name,
            connection.customer_id,
            "resumed" if active else "paused",
        )
    return to_change
