"""The dispatcher: one beat entry, every minute, for every tenant.

Each tick closes the runs whose worker died (a stale heartbeat) and enqueues the (connection, entity)
runs that are due, read from the database in one indexed query on `SyncState.next_run_at`. Its cost
grows with the runs due, not with the tenants: an idle tenant's rows are not even read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.services.icims_clients import icims_shared_state

from ..locks import sync_lock_key
from ..models import SyncRun, SyncState
from .sync_runs_enqueue import sync_runs_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchResult:
    enqueued: int
    reconciles: int
    abandoned: int


def sync_runs_due(*, now: datetime, limit: int) -> list[tuple[int, datetime | None]]:
    """(state id, last full run) of active connections' states whose next run is due (empty: due now)."""
    due = Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    return list(
        SyncState.objects.filter(due, connection__is_active=True)
        .order_by("next_run_at", "pk")
        .values_list("pk", "last_full_run_at")[:limit]
    )


def sync_runs_abandon(*, now: datetime) -> int:
    """Close runs whose worker died: running with a heartbeat older than SYNC_ABANDON_AFTER_SECONDS, or
    queued and never started within SYNC_QUEUED_EXPIRE_SECONDS (their message was lost). Their locks are
    freed and their states made due, so the next tick resumes them from the checkpoint."""
    stale_running = Q(
        status=SyncRun.Status.RUNNING,
        heartbeat_at__lt=now - timedelta(seconds=settings.SYNC_ABANDON_AFTER_SECONDS),
    )
    lost_queued = Q(
        status=SyncRun.Status.QUEUED,
        started_at__lt=now - timedelta(seconds=settings.SYNC_QUEUED_EXPIRE_SECONDS),
    )
    if not SyncRun.objects.filter(stale_running | lost_queued).exists():  # the usual tick: one cheap read
        return 0
    with transaction.atomic():
        stale = list(
            SyncRun.objects.select_for_update(skip_locked=True)
            .filter(stale_running | lost_queued)
            .values_list("pk", "connection_id", "entity", "status")
        )
        for status, reason in (
            (
                SyncRun.Status.RUNNING,
                "Its worker stopped sending heartbeats (killed or lost); resumed from its checkpoint.",
            ),
            (SyncRun.Status.QUEUED, "Never started: its queue message was lost; queued again."),
        ):
            SyncRun.objects.filter(pk__in=[pk for pk, _, _, was in stale if was == status], status=status).update(
                status=SyncRun.Status.ABANDONED, finished_at=now, error=reason
            )
        pairs = Q()
        for _, connection_id, entity, _ in stale:
            pairs |= Q(connection_id=connection_id, entity=entity)
        SyncState.objects.filter(pairs).update(next_run_at=None)
    shared = icims_shared_state()
    for _, connection_id, entity, status in stale:
        if status == SyncRun.Status.RUNNING:
            shared.delete(sync_lock_key(connection_id=connection_id, entity=entity))
    logger.warning("Sync dispatcher: %d run(s) abandoned by their workers closed", len(stale))
    return len(stale)


def sync_dispatch_tick(*, now: datetime | None = None) -> DispatchResult:
    """Close abandoned runs, then enqueue every due run (spread over the minute by connection)."""
    now = now or timezone.now()
    abandoned = sync_runs_abandon(now=now)
    due = sync_runs_due(now=now, limit=settings.SYNC_DISPATCH_BATCH_SIZE)
    if not due:
        return DispatchResult(enqueued=0, reconciles=0, abandoned=abandoned)
    reconcile_before = now - timedelta(seconds=settings.SYNC_RECONCILE_INTERVAL_SECONDS)
    reconcile_due = {pk for pk, walked in due if walked is not None and walked < reconcile_before}
    spread = settings.SYNC_DISPATCH_JITTER_SECONDS
    with transaction.atomic():
        incremental = sync_runs_enqueue(
            state_ids=[pk for pk, _ in due if pk not in reconcile_due], spread_seconds=spread, now=now
        )
        reconciles = sync_runs_enqueue(state_ids=reconcile_due, full=True, spread_seconds=spread, now=now)
        # Not due again until a cadence after this tick; the run's end sets the real next time.
        SyncState.objects.filter(pk__in=[pk for pk, _ in due]).update(
            next_run_at=now + timedelta(seconds=settings.SYNC_INTERVAL_SECONDS)
        )
    enqueued = len(incremental) + len(reconciles)
    if enqueued or abandoned:
        logger.info(
            "Sync dispatcher: %d run(s) queued (%d reconciles), %d abandoned", enqueued, len(reconciles), abandoned
        )
    return DispatchResult(enqueued=enqueued, reconciles=len(reconciles), abandoned=abandoned)
