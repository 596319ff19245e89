"""Send platform webhook deliveries whose retry time has come, and rescue ones a lost worker held.

Short retries go back to the broker as countdowns (platform_webhook_deliver.py); a retry hours away
would sit in Redis past its visibility timeout, so it is left to this sweep, which finds the rows
whose `next_attempt_at` has come. Deliveries of a disabled endpoint wait until it is enabled again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import PlatformWebhookDelivery

from .platform_webhook_events import platform_webhook_deliveries_enqueue

logger = logging.getLogger(__name__)

State = PlatformWebhookDelivery.State


@dataclass(frozen=True)
class PlatformWebhookSweepResult:
    enqueued: int
    rescued: int


def platform_webhooks_sweep(*, now: datetime | None = None) -> PlatformWebhookSweepResult:
    now = now or timezone.now()
    batch = settings.PLATFORM_WEBHOOK_SWEEP_BATCH_SIZE
    lease_cutoff = now - timedelta(seconds=settings.PLATFORM_WEBHOOK_DELIVERING_LEASE_SECONDS)
    with transaction.atomic():
        stale = PlatformWebhookDelivery.objects.filter(state=State.DELIVERING, updated_at__lt=lease_cutoff)
        rescued_ids = list(stale.values_list("pk", flat=True)[:batch])
        # Conditional on the same filter, so a worker that finishes meanwhile keeps its result. Sending an
        # event twice is allowed by the spec (receivers dedupe on webhook-id); never sending it is not.
        rescued = stale.filter(pk__in=rescued_ids).update(
            state=State.RETRYING, next_attempt_at=now, updated_at=now, last_error="The worker's lease ran out."
        )
        # A new row's own message is on its way: only one older than a sweep interval counts as lost.
        lost_pending = Q(
            state=State.PENDING,
            updated_at__lt=now - timedelta(seconds=settings.PLATFORM_WEBHOOK_SWEEP_INTERVAL_SECONDS),
        )
        due_retry = Q(state=State.RETRYING, next_attempt_at__lte=now)
        due = list(
            PlatformWebhookDelivery.objects.filter(lost_pending | due_retry, endpoint__is_enabled=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        transaction.on_commit(lambda: platform_webhook_deliveries_enqueue(delivery_ids=due), robust=True)
    if rescued:
        logger.warning("Platform webhook sweep: %s deliveries rescued from a lost worker", rescued)
    return PlatformWebhookSweepResult(enqueued=len(due), rescued=rescued)
