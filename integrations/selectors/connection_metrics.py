"""What /metrics exports per connection, read in a fixed number of grouped queries (not one per connection)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Count, Max, Sum
from django.utils import timezone

from integrations.models import Alert, ApiCallLedger, Connection, HourlyActivity, WebhookEvent, Writeback
from sync.models import SyncRun


@dataclass(frozen=True)
class ConnectionLabels:
    connection: str
    customer_id: str


@dataclass
class MetricsSnapshot:
    connections: dict[int, ConnectionLabels] = field(default_factory=dict)
    active: dict[int, bool] = field(default_factory=dict)
    hourly_budget: dict[int, int] = field(default_factory=dict)
    data_age_seconds: dict[tuple[int, str], float] = field(default_factory=dict)
    sync_runs: dict[tuple[int, str], int] = field(default_factory=dict)
    calls_today: dict[tuple[int, str, str], int] = field(default_factory=dict)  # (connection, purpose, ok|failed)
    allowance_remaining: dict[int, int] = field(default_factory=dict)
    allowance_limit: dict[int, int] = field(default_factory=dict)
    webhook_events: dict[tuple[int, str], int] = field(default_factory=dict)
    webhook_latency: dict[int, tuple[int, float]] = field(default_factory=dict)  # (count, total seconds)
    writebacks: dict[tuple[int, str], int] = field(default_factory=dict)
    open_alerts: dict[tuple[int, str], int] = field(default_factory=dict)  # (connection, rule)


def connection_metrics_snapshot(
    *, now: datetime | None = None, daily_allowance: Callable[[Connection], dict | None] | None = None
) -> MetricsSnapshot:
    """Every per-connection figure /metrics shows. Nine queries whatever the number of connections;
    the daily allowance iCIMS last reported is read from the shared state (Redis), not the database."""
    now = now or timezone.now()
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    snapshot = MetricsSnapshot()
    connections = list(Connection.objects.only("id", "name", "customer_id", "is_active", "hourly_call_budget"))
    for connection in connections:
        snapshot.connections[connection.pk] = ConnectionLabels(connection.name, connection.customer_id)
        snapshot.active[connection.pk] = connection.is_active
        snapshot.hourly_budget[connection.pk] = connection.hourly_call_budget
        allowance = daily_allowance(connection) if daily_allowance else None
        if allowance and allowance.get("remaining") is not None:
            snapshot.allowance_remaining[connection.pk] = allowance["remaining"]
            snapshot.allowance_limit[connection.pk] = allowance.get("limit") or 0

    last_success = (
        SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED)
        .values("connection_id", "entity")
        .annotate(started=Max("started_at"))
        .order_by()
    )
    for row in last_success:
        snapshot.data_age_seconds[(row["connection_id"], row["entity"])] = (now - row["started"]).total_seconds()

    # A counter: the runs kept, plus those retention deleted (records_prune.py), so it never falls.
    runs = SyncRun.objects.values("connection_id", "status").annotate(total=Count("id")).order_by()
    snapshot.sync_runs = {(row["connection_id"], row["status"]): row["total"] for row in runs}
    pruned = (
        HourlyActivity.objects.filter(series=HourlyActivity.Series.SYNC_RUNS_PRUNED)
        .values("connection_id", "label")
        .annotate(total=Sum("count"))
        .order_by()
    )
    for row in pruned:
        key = (row["connection_id"], row["label"])
        snapshot.sync_runs[key] = snapshot.sync_runs.get(key, 0) + row["total"]

    calls = (
        ApiCallLedger.objects.filter(hour__gte=day_start)
        .values("connection_id", "purpose")
        .annotate(calls=Sum("calls"), failed=Sum("failed_calls"))
        .order_by()
    )
    for row in calls:
        snapshot.calls_today[(row["connection_id"], row["purpose"], "ok")] = row["calls"] - row["failed"]
        snapshot.calls_today[(row["connection_id"], row["purpose"], "failed")] = row["failed"]

    events = WebhookEvent.objects.values("connection_id", "state").annotate(total=Count("id")).order_by()
    snapshot.webhook_events = {(row["connection_id"], row["state"]): row["total"] for row in events}

    latency = (
        HourlyActivity.objects.filter(series=HourlyActivity.Series.WEBHOOK_EVENTS)
        .values("connection_id")
        .annotate(count=Sum("count"), seconds=Sum("total_seconds"))
        .order_by()
    )
    snapshot.webhook_latency = {row["connection_id"]: (row["count"], row["seconds"]) for row in latency}

    writebacks = Writeback.objects.values("connection_id", "state").annotate(total=Count("id")).order_by()
    snapshot.writebacks = {(row["connection_id"], row["state"]): row["total"] for row in writebacks}

    alerts = (
        Alert.objects.filter(resolved_at__isnull=True, connection__isnull=False)
        .values("connection_id", "kind")
        .annotate(total=Count("id"))
        .order_by()
    )
    snapshot.open_alerts = {(row["connection_id"], row["kind"]): row["total"] for row in alerts}
    return snapshot
