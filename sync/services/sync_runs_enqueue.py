"""Put sync runs on the workers' queue: a queued SyncRun row per (connection, entity), then the task message.

The admin's "Sync now" and `icims_sync --queue` come through here, so a (connection, entity) that already
has a run queued or running is never enqueued a second time. (The dispatcher's due runs are claimed by the
sync workers instead, sync_due_claim.py, and pass over a pair queued here.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from celery import current_app
from django.db import connection as db
from django.db import models, transaction
from django.utils import timezone

from integrations.models import Connection

from ..models import SyncRun, SyncState
from .sync_states_ensure import sync_states_ensure

logger = logging.getLogger(__name__)

BUSY_STATUSES = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)
# Tasks are sent by name (sync/tasks.py registers them under these): tasks import services, never the reverse.
SYNC_ENTITY_TASK = "sync.tasks.sync_entity"


@dataclass(frozen=True)
class QueuedRun:
    pk: int
    connection_id: int
    entity: str
    mode: str


def sync_runs_enqueue(
    *,
    state_ids: Iterable[int],
    full: bool = False,
    now: datetime | None = None,
) -> list[QueuedRun]:
    """Enqueue a run for each SyncState id not already queued or running; returns the runs queued.

    `full` asks each for a reconcile. The messages leave once the transaction commits, so a worker always
    finds its queued row.
    """
    state_ids = list(state_ids)
    if not state_ids:
        return []
    with transaction.atomic():
        runs = _queued_rows_insert(state_ids=state_ids, full=full, now=now or timezone.now())
        messages = [[run.pk, run.connection_id, run.entity, full] for run in runs]
        if messages:
            transaction.on_commit(lambda: sync_runs_publish(messages=messages), robust=True)
    logger.info("Queued %d sync run(s) (%d already queued or running)", len(runs), len(state_ids) - len(runs))
    return runs


def _queued_rows_insert(*, state_ids: list[int], full: bool, now: datetime) -> list[QueuedRun]:
    """One INSERT ... SELECT for every run asked for: a row per state not already queued or running, its
    mode the one the run will most likely take (the engine decides for sure when it starts)."""
    run, state, connection = SyncRun._meta.db_table, SyncState._meta.db_table, Connection._meta.db_table
    counters = [
        field.column
        for field in SyncRun._meta.concrete_fields
        if isinstance(field, models.PositiveIntegerField) and not field.null
    ]
    blanks = ["cursor_in", "cursor_out", "error"]
    ids = ", ".join(["%s"] * len(state_ids))
    # Only table and column names from the models are formatted in; every value is a parameter.
    sql = f"""
        INSERT INTO {run} (connection_id, entity, mode, status, started_at, {", ".join(counters + blanks)})
        SELECT s.connection_id, s.entity,
            CASE WHEN s.last_full_run_at IS NULL THEN %s
                 WHEN %s OR s.backfill_checkpoint IS NOT NULL THEN %s
                 WHEN c.stream_id <> '' THEN %s
                 ELSE %s END,
            %s, %s, {", ".join(["0"] * len(counters) + ["''"] * len(blanks))}
        FROM {state} s JOIN {connection} c ON c.id = s.connection_id
        WHERE s.id IN ({ids}) AND NOT EXISTS (
            SELECT 1 FROM {run} r
            WHERE r.connection_id = s.connection_id AND r.entity = s.entity AND r.status IN (%s, %s)
        )
        RETURNING id, connection_id, entity, mode
    """  # noqa: S608
    params = [
        SyncRun.Mode.BACKFILL,
        full,
        SyncRun.Mode.RECONCILE,
        SyncRun.Mode.INCREMENTAL_STREAM,
        SyncRun.Mode.INCREMENTAL_SEARCH,
        SyncRun.Status.QUEUED,
        now,
        *state_ids,
        *BUSY_STATUSES,
    ]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return [QueuedRun(*row) for row in cursor.fetchall()]


def sync_runs_publish(*, messages: list[list]) -> None:
    """Send each queued run's task message: [run id, connection id, entity, full]."""
    # One broker connection for the batch; the reprs given directly spare Celery a saferepr per message.
    sync_entity = current_app.tasks[SYNC_ENTITY_TASK]
    with current_app.producer_or_acquire() as producer:
        for run_id, connection_id, entity, full in messages:
            args, kwargs = (connection_id, entity), {"full": full, "run_id": run_id}
            sync_entity.apply_async(args, kwargs, producer=producer, argsrepr=repr(args), kwargsrepr=repr(kwargs))


def sync_runs_enqueue_for_connections(
    *, connections: Iterable[Connection], entities: Iterable[str] | None = None, full: bool = False
) -> list[QueuedRun]:
    """ "Sync now" for whole connections (the admin action, `icims_sync --queue`): their states made first
    when missing; paused connections are left out (the caller says so)."""
    active = [connection for connection in connections if connection.is_active]
    for connection in active:
        sync_states_ensure(connection=connection)
    states = SyncState.objects.filter(connection__in=active)
    if entities is not None:
        states = states.filter(entity__in=list(entities))
    return sync_runs_enqueue(
        state_ids=states.order_by("connection_id", "entity").values_list("pk", flat=True), full=full
    )
