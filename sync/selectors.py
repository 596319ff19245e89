"""What the admin shows about a connection's sync: data age, last success and error per entity, calls used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.icims.client import SEARCH_PAGE_SIZE
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
    walk_progress: str = ""  # a pending walk's "41% — about 6 days at 9,000 calls a day"


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
    daily_calls = sync_daily_calls(connection=connection)
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
                walk_progress=walk_forecast(state=state, daily_calls=daily_calls) if state else "",
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


DEFAULT_DAILY_ALLOWANCE = 10_000  # iCIMS's default allowance (icims-api.md section 10), until it reports one


def sync_daily_calls(*, connection: Connection) -> int:
    """The calls a day iCIMS allows this connection, as its x-ratelimit-limit header last said (else the default)."""
    reported = (icims_call_budget(connection=connection).daily_allowance() or {}).get("limit")
    return int(reported) if reported else DEFAULT_DAILY_ALLOWANCE


def walk_forecast(*, state: SyncState, daily_calls: int) -> str:
    """A pending backfill or reconcile's progress and when it should end at this allowance, e.g.
    "41% — about 6 days at 9,000 calls a day". Each record left costs a GET, each 1,000 a search."""
    if state.backfill_checkpoint is None:
        return ""
    if state.backfill_total is None:
        return "starting: counting the records in scope"
    total = state.backfill_total
    done = min(state.backfill_done, total)
    percent = 100 * done // total if total else 100
    left = total - done
    calls = left + -(-left // SEARCH_PAGE_SIZE)
    hours = 24 * calls / daily_calls if daily_calls > 0 else float("inf")
    if hours < 1:
        when = "under an hour"
    elif round(hours) == 1:
        when = "about an hour"
    elif hours < 48:
        when = f"about {round(hours)} hours"
    else:
        when = f"about {round(hours / 24)} days"
    return f"{percent}% — {when} at {daily_calls:,} calls a day"
