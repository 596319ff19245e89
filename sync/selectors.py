"""What the admin shows about a connection's sync: data age, last success and error per entity, calls used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.models import ApiCallLedger, Connection
from integrations.services.icims_clients import icims_call_budget

from .models import Entity, SyncRun, SyncState


@dataclass(frozen=True)
class EntitySyncOverview:
    entity: str
    data_age: timedelta | None  # since the last successful run began: nothing older than this is missing
    last_success_at: datetime | None
    last_error: str
    last_error_at: datetime | None
    running: SyncRun | None
    queued: SyncRun | None  # enqueued by the dispatcher or "Sync now", not started yet
    full_walk_pending: bool
    last_full_run_at: datetime | None


@dataclass(frozen=True)
class ConnectionSyncOverview:
    entities: list[EntitySyncOverview]
    sync_calls_this_hour: int
    calls_this_hour: int
    hourly_budget: int


def connection_sync_overview(*, connection: Connection, now: datetime | None = None) -> ConnectionSyncOverview:
    now = now or timezone.now()
    states = {state.entity: state for state in SyncState.objects.filter(connection=connection)}
    runs = SyncRun.objects.filter(connection=connection)
    latest_success = {
        entity: runs.filter(entity=entity, status=SyncRun.Status.SUCCEEDED).first() for entity in Entity.values
    }
    # A run whose heartbeat stopped is a dead worker's, not a running one.
    alive_since = now - timedelta(minutes=10)
    running = {run.entity: run for run in runs.filter(status=SyncRun.Status.RUNNING, heartbeat_at__gte=alive_since)}
    queued = {run.entity: run for run in runs.filter(status=SyncRun.Status.QUEUED)}
    entities = []
    for entity in Entity.values:
        state = states.get(entity)
        success = latest_success.get(entity)
        entities.append(
            EntitySyncOverview(
                entity=entity,
                data_age=now - success.started_at if success else None,
                last_success_at=state.last_success_at if state else None,
                last_error=state.last_error if state else "",
                last_error_at=state.last_error_at if state else None,
                running=running.get(entity),
                queued=queued.get(entity),
                full_walk_pending=bool(state and state.backfill_checkpoint is not None),
                last_full_run_at=state.last_full_run_at if state else None,
            )
        )
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    sync_calls = (
        ApiCallLedger.objects.filter(connection=connection, hour=hour_start, purpose=Purpose.SYNC).aggregate(
            total=Sum("calls")
        )["total"]
        or 0
    )
    return ConnectionSyncOverview(
        entities=entities,
        sync_calls_this_hour=sync_calls,
        calls_this_hour=icims_call_budget(connection=connection).calls_this_hour(),
        hourly_budget=connection.hourly_call_budget,
    )
