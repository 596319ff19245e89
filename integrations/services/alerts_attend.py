"""A person attends to alerts: acknowledges them (someone is on it) or mutes them for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Alert


def alerts_acknowledge(*, alerts: QuerySet[Alert], user, now: datetime | None = None) -> int:
    """Acknowledge the open, not yet acknowledged alerts among `alerts`; returns how many."""
    return alerts.filter(resolved_at__isnull=True, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now(), acknowledged_by=user
    )


def alerts_mute(*, alerts: QuerySet[Alert], duration: timedelta, now: datetime | None = None) -> int:
    """No notification about these alerts (nor their rule reopening on the same connection) for `duration`."""
    return alerts.update(muted_until=(now or timezone.now()) + duration)
