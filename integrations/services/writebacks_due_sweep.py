"""Enqueue due write-backs and rescue the ones a dead worker left "sending".

As with webhook events, the row is the source of truth and the Celery message a nudge: retries are
never scheduled in the broker (a countdown would sit in Redis for an hour); this sweep finds rows
whose `next_attempt_at` has come and sends them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import Writeback, WritebackAttempt

from .platform_webhook_events import WRITEBACK_NEEDS_REVIEW, writeback_event_emit
from .writeback_enqueue import writeback_task_enqueue

logger = logging.getLogger(__name__)

# Creates whose worker vanished mid-send may or may not have reached iCIMS: a person decides.
UNKNOWN_OUTCOME_ACTIONS = (Writeback.Action.INTERVIEW_CREATE, Writeback.Action.FEEDBACK_REQUEST)


@dataclass(frozen=True)
class WritebackSweepResult:
    enqueued: int
    rescued: int
    needs_review: int


def writebacks_due_sweep(*, now: datetime | None = None) -> WritebackSweepResult:
    now = now or timezone.now()
    batch = settings.WRITEBACK_SWEEP_BATCH_SIZE
    lease_cutoff = now - timedelta(seconds=settings.WRITEBACK_SENDING_LEASE_SECONDS)
    with transaction.atomic():
        stale = Writeback.objects.filter(state=Writeback.State.SENDING, updated_at__lt=lease_cutoff)
        unknown = list(
            stale.filter(action__in=UNKNOWN_OUTCOME_ACTIONS, result__interview_id__isnull=True).values_list(
                "pk", flat=True
            )[:batch]
        )
        needs_review = stale.filter(pk__in=unknown).update(
            state=Writeback.State.DEAD,
            updated_at=now,
            completed_at=now,
            last_error="Needs review: the worker sending this create vanished; it may or may not have reached "
            "iCIMS, so it is not sent again automatically.",
        )
        WritebackAttempt.objects.filter(writeback_id__in=unknown, finished_at__isnull=True).update(
            finished_at=now, outcome="worker lost: needs review"
        )
        for writeback in Writeback.objects.filter(pk__in=unknown, state=Writeback.State.DEAD):
            writeback_event_emit(event_type=WRITEBACK_NEEDS_REVIEW, writeback=writeback, reason=writeback.last_error)
        rescued_ids = list(stale.values_list("pk", flat=True)[:batch])
        # Conditional on the same filter, so a worker that finishes meanwhile keeps its result.
        rescued = stale.filter(pk__in=rescued_ids).update(
            state=Writeback.State.RETRYING,
            next_attempt_at=now,
            updated_at=now,
            last_error="The worker's lease ran out; sent again.",
        )
        WritebackAttempt.objects.filter(writeback_id__in=rescued_ids, finished_at__isnull=True).update(
            finished_at=now, outcome="worker lost"
        )
        # A new row's own message is on its way: only one older than a sweep interval counts as lost.
        lost_pending = Q(
            state=Writeback.State.PENDING,
            created_at__lt=now - timedelta(seconds=settings.WRITEBACK_SWEEP_INTERVAL_SECONDS),
        )
        due_retry = Q(state=Writeback.State.RETRYING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        # A paused connection's write-backs are held until it is resumed (connection_pause.py).
        due = list(
            Writeback.objects.filter(lost_pending | due_retry, connection__is_active=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        for writeback_id in due:
            transaction.on_commit(
                lambda writeback_id=writeback_id: writeback_task_enqueue(writeback_id=writeback_id), robust=True
            )
    result = WritebackSweepResult(enqueued=len(due), rescued=rescued, needs_review=needs_review)
    if result.rescued or result.needs_review:
        logger.warning("Write-back sweep: %s rescued from a lost worker, %s need review", rescued, needs_review)
    return result
