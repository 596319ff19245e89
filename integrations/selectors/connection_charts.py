"""What the charts of one connection show: hourly series read from the rollups, never from raw rows.

Each chart is one query over (connection, hour) buckets: the iCIMS call ledger, or the hourly
activity rollup. The cost depends on the window (24 or 168 hours), not on how many calls, events
or runs there were.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.models import ApiCallLedger, Connection, HourlyActivity, WebhookEvent, Writeback

ENTITIES = ("jobs", "candidates", "users")


class ChartWindow(StrEnum):
    DAY = "24h"
    WEEK = "7d"

    @property
    def hours(self) -> int:
        return 24 if self is ChartWindow.DAY else 7 * 24

    @property
    def label(self) -> str:
        return "last 24 hours" if self is ChartWindow.DAY else "last 7 days"


@dataclass(frozen=True)
class ChartSeries:
    name: str
    values: list[float | None]  # one per hour of the chart; None: nothing observed that hour


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    unit: str
    kind: str  # "stacked-bars" or "lines"
    hours: list[datetime]
    series: list[ChartSeries]
    limit: float | None = None  # a line drawn across, e.g. the hourly call budget
    limit_label: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(value for series in self.series for value in series.values)


def chart_hours(*, window: ChartWindow, now: datetime | None = None) -> list[datetime]:
    """The clock hours of the window, oldest first, ending with the current hour."""
    current = (now or timezone.now()).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [current - timedelta(hours=back) for back in range(window.hours - 1, -1, -1)]


def _series(names, hours, cells: dict[tuple[str, datetime], float]) -> list[ChartSeries]:
    return [ChartSeries(name=name, values=[cells.get((name, hour)) for hour in hours]) for name in names]


def calls_per_hour_chart(*, connection: Connection, window: ChartWindow, now: datetime | None = None) -> Chart:
    """iCIMS calls per hour, stacked by purpose, against the connection's hourly budget."""
    hours = chart_hours(window=window, now=now)
    rows = ApiCallLedger.objects.filter(connection=connection, hour__gte=hours[0]).values_list(
        "hour", "purpose", "calls"
    )
    cells = {(purpose, hour.astimezone(UTC)): float(calls) for hour, purpose, calls in rows}
    return Chart(
        key="calls",
        title=f"iCIMS calls per hour by purpose, {window.label}",
        unit="calls",
        kind="stacked-bars",
        hours=hours,
        series=_series([purpose.value for purpose in Purpose], hours, cells),
        limit=connection.hourly_call_budget,
        limit_label=f"hourly budget {connection.hourly_call_budget:,}",
    )


def _activity(connection: Connection, hours: list[datetime]) -> dict[str, list[HourlyActivity]]:
    rows = HourlyActivity.objects.filter(connection=connection, hour__gte=hours[0]).only(
        "hour", "series", "label", "count", "total_seconds", "max_seconds"
    )
    by_series: dict[str, list[HourlyActivity]] = defaultdict(list)
    for row in rows:
        row.hour = row.hour.astimezone(UTC)
        by_series[row.series].append(row)
    return by_series


def activity_charts(*, connection: Connection, window: ChartWindow, now: datetime | None = None) -> list[Chart]:
    """Data age per entity, webhook volume and latency, write-back outcomes: one query for all four."""
    hours = chart_hours(window=window, now=now)
    activity = _activity(connection, hours)

    data_age = {(row.label, row.hour): row.max_seconds / 60 for row in activity[HourlyActivity.Series.DATA_AGE]}
    webhooks = {(row.label, row.hour): float(row.count) for row in activity[HourlyActivity.Series.WEBHOOK_EVENTS]}
    latency: dict[tuple[str, datetime], float] = {}
    for row in activity[HourlyActivity.Series.WEBHOOK_TO_REQUEST]:
        count, total = latency.get(("count", row.hour), 0.0), latency.get(("total", row.hour), 0.0)
        latency[("count", row.hour)], latency[("total", row.hour)] = count + row.count, total + row.total_seconds
        latency[("slowest", row.hour)] = max(latency.get(("slowest", row.hour), 0.0), row.max_seconds)
    for hour in hours:
        if latency.get(("count", hour)):
            latency[("average", hour)] = latency[("total", hour)] / latency[("count", hour)]
    writebacks = {(row.label, row.hour): float(row.count) for row in activity[HourlyActivity.Series.WRITEBACK_OUTCOMES]}
    webhook_states = [
        WebhookEvent.State.PROCESSED.value,
        WebhookEvent.State.IGNORED.value,
        WebhookEvent.State.FAILED.value,
    ]
    writeback_states = [
        Writeback.State.SUCCEEDED.value,
        Writeback.State.SKIPPED.value,
        Writeback.State.RETRYING.value,
        Writeback.State.DEAD.value,
    ]
    return [
        Chart(
            key="data-age",
            title=f"Data age per entity (oldest at the end of a sync run), {window.label}",
            unit="minutes",
            kind="lines",
            hours=hours,
            series=_series(ENTITIES, hours, data_age),
        ),
        Chart(
            key="webhooks",
            title=f"Webhook events handled per hour, {window.label}",
            unit="events",
            kind="stacked-bars",
            hours=hours,
            series=_series(webhook_states, hours, webhooks),
        ),
        Chart(
            key="webhook-latency",
            title=f"Webhook received to scheduling request started, {window.label}",
            unit="seconds",
            kind="lines",
            hours=hours,
            series=_series(["average", "slowest"], hours, latency),
        ),
        Chart(
            key="writebacks",
            title=f"Write-back attempts by outcome, {window.label}",
            unit="attempts",
            kind="stacked-bars",
            hours=hours,
            series=_series(writeback_states, hours, writebacks),
        ),
    ]


def connection_charts(*, connection: Connection, window: ChartWindow, now: datetime | None = None) -> list[Chart]:
    """Every chart of the connection's status: two queries whatever the size of the tables behind them."""
    return [
        calls_per_hour_chart(connection=connection, window=window, now=now),
        *activity_charts(connection=connection, window=window, now=now),
    ]
