"""The dispatcher: one beat entry, every minute, for every tenant.

Each tick closes the runs whose worker died (a stale heartbeat) and counts the (connection, entity) runs
that are due, in one indexed query on `SyncState.next_run_at`, then sends one message that puts as many
claims on the sync queue, spread over the minute (sync_due_claim.py): each sync worker claims a due run
itself. So a tick costs the same few queries and one message whether 1 or 600 runs are due, and an idle
tenant's rows are not even read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection as db
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations.services.icims_clients import icims_shared_state

from ..locks import sync_lock_key
from ..models import SyncRun, SyncState
from .sync_due_claim import sync_claims_send

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchResult:
    due: int  # runs due at this tick (up to SYNC_DISPATCH_BATCH_SIZE)
    claims: int  # claims sent for them (those the sync queue already holds are not sent again)
    abandoned: int


def _abandoned(now: datetime) -> Q:
    """Runs whose worker died: running with a heartbeat older than SYNC_ABANDON_AFTER_SECONDS, or queued and
    never started within SYNC_QUEUED_EXPIRE_SECONDS (their message was lost)."""
    stale_running = Q(
        status=SyncRun.Status.RUNNING,
        heartbeat_at__lt=now - timedelta(seconds=settings.SYNC_ABANDON_AFTER_SECONDS),
    )
    lost_queued = Q(
        status=SyncRun.Status.QUEUED,
        started_at__lt=now - timedelta(seconds=settings.SYNC_QUEUED_EXPIRE_SECONDS),
    )
    return stale_running | lost_queued


def sync_runs_due_count(*, now: datetime, limit: int) -> tuple[int, bool]:
    """How many states of active connections are due (next run empty or past), counting up to `limit`, and
    whether any run was abandoned by its worker: one query, the usual tick's only one."""
    due = Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    due_sql, due_params = (
        SyncState.objects.filter(due, connection__is_active=True)
        .order_by()
        .values("pk")[:limit]
        .query.sql_with_params()
    )
    stale_sql, stale_params = (
        SyncRun.objects.filter(_abandoned(now)).order_by().values("pk")[:1].query.sql_with_params()
    )
    # The two ORM queries' own SQL, composed; every value stays a parameter.
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({due_sql}) due), EXISTS ({stale_sql})",  # noqa: S608
            [*due_params, *stale_params],
        )
        count, stale = cursor.fetchone()
    return count, bool(stale)


def sync_runs_abandon(*, now: datetime) -> int:
    """Close runs whose worker died: running with a heartbeat older than SYNC_ABANDON_AFTER_SECONDS, or
    queued and never started within SYNC_QUEUED_EXPIRE_SECONDS (their message was lost). Their locks are
    freed and their states made due, so the claims resume them from the checkpoint."""
    with transaction.atomic():
        stale = list(
            SyncRun.objects.select_for_update(skip_locked=True)
            .filter(_abandoned(now))
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
    """Close abandoned runs, then send claims for every due run (the sync workers take them)."""
    now = now or timezone.now()
    due, stale = sync_runs_due_count(now=now, limit=settings.SYNC_DISPATCH_BATCH_SIZE)
    abandoned = sync_runs_abandon(now=now) if stale else 0
    if abandoned:  # their states are due now too
        due, _ = sync_runs_due_count(now=now, limit=settings.SYNC_DISPATCH_BATCH_SIZE)
    claims = sync_claims_send(due=due) if due else 0
    if claims or abandoned:
        logger.info("Sync dispatcher: %d run(s) due, %d claim(s) sent, %d abandoned", due, claims, abandoned)
    return DispatchResult(due=due, claims=claims, abandoned=abandoned)
