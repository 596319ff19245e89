"""What /health/ reads about the background: heartbeat ages and the oldest webhook event still waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from integrations.models import ProcessHeartbeat, WebhookEvent

UNPROCESSED_STATES = (WebhookEvent.State.RECEIVED, WebhookEvent.State.PROCESSING)


def heartbeat_ages(*, names: list[str], now: datetime | None = None) -> dict[str, timedelta | None]:
    """How long ago each process left its heartbeat; None for one that never did."""
    now = now or timezone.now()
    beats = dict(ProcessHeartbeat.objects.filter(name__in=names).values_list("name", "beat_at"))
    return {name: (now - beats[name]) if name in beats else None for name in names}


def oldest_unprocessed_webhook_wait(*, now: datetime | None = None) -> timedelta | None:
    """How long the oldest event not yet handled has waited since it arrived; None when none waits."""
    received_at = (
        WebhookEvent.objects.filter(state__in=UNPROCESSED_STATES)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    return None if received_at is None else (now or timezone.now()) - received_at
