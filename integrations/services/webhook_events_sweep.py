"""Re-enqueue events the queue lost: left in "received", or "processing" past the worker's lease.

The row is the source of truth, the Celery message only a nudge: a lost message, a dead worker
or a broker outage at the wrong moment leaves a row here, and the next sweep picks it up. An event
waiting for its turn (work_waits.py) is left alone until its wait is over; one whose connection is
paused waits for the resume, which re-enqueues it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import WebhookEvent
from integrations.services.webhook_event_ingest import webhook_event_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    lease_expired: int
    gave_up: int


def webhook_events_sweep(*, now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    batch = settings.WEBHOOK_SWEEP_BATCH_SIZE
    lease_cutoff = now - timedelta(seconds=settings.WEBHOOK_PROCESSING_LEASE_SECONDS)
    stuck_cutoff = now - timedelta(seconds=settings.WEBHOOK_STUCK_RECEIVED_SECONDS)
    processing = WebhookEvent.objects.filter(state=WebhookEvent.State.PROCESSING, state_changed_at__lt=lease_cutoff)

    with transaction.atomic():
        exhausted = list(
            processing.filter(attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS).values_list("pk", flat=True)[:batch]
        )
        gave_up = processing.filter(pk__in=exhausted).update(
            state=WebhookEvent.State.FAILED,
            state_changed_at=now,
            last_error=f"Gave up: no worker finished it in {settings.WEBHOOK_MAX_ATTEMPTS} attempts.",
        )
        expired = list(processing.values_list("pk", flat=True)[:batch])
        # Conditional on the same filter, so a worker that finishes meanwhile keeps its result.
        lease_expired = processing.filter(pk__in=expired).update(
            state=WebhookEvent.State.RECEIVED,
            state_changed_at=now,
            last_error="The worker's lease ran out; re-enqueued.",
        )
        stuck = list(
            WebhookEvent.objects.filter(
                Q(waiting_until__isnull=True) | Q(waiting_until__lte=now),
                state=WebhookEvent.State.RECEIVED,
                state_changed_at__lt=stuck_cutoff,
                connection__is_active=True,
            ).values_list("pk", flat=True)[:batch]
        )
        # Touching state_changed_at keeps the next sweep from piling a second message on a backlog.
        WebhookEvent.objects.filter(pk__in=stuck, state=WebhookEvent.State.RECEIVED).update(state_changed_at=now)
        for event_id in [*expired, *stuck]:
            transaction.on_commit(lambda event_id=event_id: webhook_event_enqueue(event_id=event_id), robust=True)
    result = SweepResult(requeued=len(stuck) + lease_expired, lease_expired=lease_expired, gave_up=gave_up)
    if result.requeued or result.gave_up:
        logger.warning(
            "Webhook sweep: %s re-enqueued (%s past their lease), %s gave up",
            result.requeued,
            result.lease_expired,
            result.gave_up,
        )
    return result
