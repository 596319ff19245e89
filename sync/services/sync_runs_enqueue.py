"""Put sync runs on the workers' queue: a queued SyncRun row per (connection, entity), then the task message.

The dispatcher's tick, the admin's "Sync now" and `icims_sync --queue` all come through here, so a
(connection, entity) that already has a run queued or running is never enqueued a second time.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from integrations.models import Connection

from ..engine import planned_mode
from ..models import SyncRun, SyncState
from .sync_states_ensure import sync_states_ensure

logger = logging.getLogger(__name__)

BUSY_STATUSES = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)
JITTER_SLICE_SECONDS = 5


def jitter_seconds(*, connection_id: int, spread: int) -> int:
    """A stable offset within `spread` seconds: each tenant starts at its own second of the minute."""
    if spread <= 0:
        return 0
    return zlib.crc32(str(connection_id).encode()) % spread


def sync_runs_enqueue(
    *,
    states: Iterable[SyncState],
    full: bool = False,
    spread_seconds: int = 0,
    now: datetime | None = None,
) -> list[SyncRun]:
    """Enqueue a run for each state (its connection loaded) not already queued or running; returns the runs.

    `full` asks each for a reconcile; `spread_seconds` delays each run by its connection's jitter (in
    slices of JITTER_SLICE_SECONDS). The messages leave once the transaction commits, so a worker always
    finds its queued row.
    """
    states = list(states)
    if not states:
        return []
    with transaction.atomic():
        return _enqueue(states=states, full=full, spread_seconds=spread_seconds, now=now or timezone.now())


def _enqueue(*, states: list[SyncState], full: bool, spread_seconds: int, now: datetime) -> list[SyncRun]:
    busy = set(
        SyncRun.objects.filter(
            connection_id__in={state.connection_id for state in states},
            status__in=BUSY_STATUSES,
        ).values_list("connection_id", "entity")
    )
    wanted = [state for state in states if (state.connection_id, state.entity) not in busy]
    runs = SyncRun.objects.bulk_create(
        [
            SyncRun(
                connection_id=state.connection_id,
                entity=state.entity,
                # What the run will most likely do; the engine decides for sure when it starts.
                mode=SyncRun.Mode.RECONCILE if full else planned_mode(connection=state.connection, state=state),
                status=SyncRun.Status.QUEUED,
                started_at=now,
            )
            for state in wanted
        ]
    )
    if not runs:
        return runs
    messages = [[run.pk, run.connection_id, run.entity, full] for run in runs]
    if spread_seconds > 0:
        transaction.on_commit(lambda: _send_spread(messages, spread_seconds=spread_seconds), robust=True)
    else:
        transaction.on_commit(lambda: sync_runs_publish(messages=messages), robust=True)
    logger.info("Queued %d sync run(s) (%d already queued or running)", len(runs), len(states) - len(wanted))
    return runs


def _send_spread(messages: list[list], *, spread_seconds: int) -> None:
    """Jitter by slices of the minute: one message per slice carries its runs and leaves when the slice
    starts (then publishes them), so a tick sends a dozen messages whatever the number of runs due, and
    no worker holds hundreds of delayed messages."""
    from sync.tasks import sync_runs_publish_task  # tasks import services, not the other way round

    slices: dict[int, list[list]] = {}
    for message in messages:
        offset = jitter_seconds(connection_id=message[1], spread=spread_seconds)
        slices.setdefault(offset - offset % JITTER_SLICE_SECONDS, []).append(message)
    for start, batch in sorted(slices.items()):
        sync_runs_publish_task.apply_async((batch,), countdown=start or None, argsrepr=f"({len(batch)} runs)")


def sync_runs_publish(*, messages: list[list]) -> None:
    """Send each queued run's task message: [run id, connection id, entity, full]."""
    from sync.tasks import sync_entity  # tasks import services, not the other way round

    # One broker connection for the batch; the reprs given directly spare Celery a saferepr per message.
    with sync_entity.app.producer_or_acquire() as producer:
        for run_id, connection_id, entity, full in messages:
            args, kwargs = (connection_id, entity), {"full": full, "run_id": run_id}
            sync_entity.apply_async(args, kwargs, producer=producer, argsrepr=repr(args), kwargsrepr=repr(kwargs))


def sync_runs_enqueue_for_connections(
    *, connections: Iterable[Connection], entities: Iterable[str] | None = None, full: bool = False
) -> list[SyncRun]:
    """ "Sync now" for whole connections (the admin action, `icims_sync --queue`): their states made first
    when missing; paused connections are left out (the caller says so)."""
    active = [connection for connection in connections if connection.is_active]
    for connection in active:
        sync_states_ensure(connection=connection)
    states = SyncState.objects.filter(connection__in=active).select_related("connection")
    if entities is not None:
        states = states.filter(entity__in=list(entities))
    return sync_runs_enqueue(states=states.order_by("connection_id", "entity"), full=full)
