"""The Prometheus collector behind /metrics: per-connection series read from the database at each scrape."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector

from .selectors.connection_metrics import MetricsSnapshot, connection_metrics_snapshot
from .selectors.platform_webhook_metrics import PlatformWebhookSnapshot, platform_webhook_metrics_snapshot
from .services.icims_clients import icims_call_budget

PREFIX = "goodtime_icims"
CONNECTION_LABELS = ["connection", "customer_id"]
ENDPOINT_LABELS = ["endpoint", "host"]


def _daily_allowance(connection) -> dict | None:
    return icims_call_budget(connection=connection).daily_allowance()


class PortalCollector(Collector):
    """Reads one snapshot per scrape (a fixed number of queries) and turns it into metric families."""

    def collect(self) -> Iterator[Metric]:
        snapshot = connection_metrics_snapshot(daily_allowance=_daily_allowance)
        yield from _families(snapshot)
        yield from _platform_webhook_families(platform_webhook_metrics_snapshot())


def _labels(snapshot: MetricsSnapshot, connection_id: int, *extra: str) -> list[str] | None:
    names = snapshot.connections.get(connection_id)
    return None if names is None else [names.connection, names.customer_id, *extra]


def _gauge_family(
    name: str, documentation: str, label_names: list[str], values: dict, labels_of: Callable[[int], list[str] | None]
) -> Metric:
    """Values keyed by an owner's id (a connection's, an endpoint's), alone or followed by more label values."""
    family = GaugeMetricFamily(f"{PREFIX}_{name}", documentation, labels=label_names)
    for key, value in sorted(values.items()):
        owner_id, *rest = key if isinstance(key, tuple) else (key,)
        labels = labels_of(owner_id)
        if labels is not None:  # a row of an owner deleted between two queries
            family.add_metric([*labels, *rest], value)
    return family


def _gauge(name: str, documentation: str, extra: list[str], values: dict, snapshot: MetricsSnapshot) -> Metric:
    def labels_of(connection_id: int) -> list[str] | None:
        return _labels(snapshot, connection_id)

    return _gauge_family(name, documentation, [*CONNECTION_LABELS, *extra], values, labels_of)


def _families(snapshot: MetricsSnapshot) -> Iterator[Metric]:
    yield _gauge("connection_active", "1 when the connection is active, 0 when paused.", [], snapshot.active, snapshot)
    yield _gauge(
        "hourly_call_budget", "iCIMS calls the connection may spend per hour.", [], snapshot.hourly_budget, snapshot
    )
    yield _gauge(
        "data_age_seconds",
        "Seconds since the last successful sync run of the entity began: nothing older is missing.",
        ["entity"],
        snapshot.data_age_seconds,
        snapshot,
    )
    runs = CounterMetricFamily(f"{PREFIX}_sync_runs", "Sync runs by outcome.", labels=[*CONNECTION_LABELS, "outcome"])
    for (connection_id, outcome), total in sorted(snapshot.sync_runs.items()):
        if (labels := _labels(snapshot, connection_id, outcome)) is not None:
            runs.add_metric(labels, total)
    yield runs
    yield _gauge(
        "icims_calls_today",
        "iCIMS API calls since 00:00 UTC, by purpose and result (ok, or failed: an error or no answer).",
        ["purpose", "result"],
        snapshot.calls_today,
        snapshot,
    )
    yield _gauge(
        "icims_allowance_remaining",
        "Calls left of the daily allowance iCIMS last reported (absent until a call today).",
        [],
        snapshot.allowance_remaining,
        snapshot,
    )
    yield _gauge(
        "icims_allowance_limit", "The daily allowance iCIMS last reported.", [], snapshot.allowance_limit, snapshot
    )
    yield _gauge("webhook_events", "Stored webhook events by state.", ["state"], snapshot.webhook_events, snapshot)
    latency = SummaryMetricFamily(
        f"{PREFIX}_webhook_processing_seconds",
        "Time from receiving a webhook event to handling it (processed, ignored or failed).",
        labels=CONNECTION_LABELS,
    )
    for connection_id, (count, seconds) in sorted(snapshot.webhook_latency.items()):
        if (labels := _labels(snapshot, connection_id)) is not None:
            latency.add_metric(labels, count_value=count, sum_value=seconds)
    yield latency
    yield _gauge("writebacks", "Write-backs to iCIMS by state.", ["state"], snapshot.writebacks, snapshot)
    yield _gauge(
        "open_alerts", "Alerts open now (acknowledged or not), by rule.", ["rule"], snapshot.open_alerts, snapshot
    )


def _endpoint_gauge(
    name: str, documentation: str, extra: list[str], values: dict, snapshot: PlatformWebhookSnapshot
) -> Metric:
    def labels_of(endpoint_id: int) -> list[str] | None:
        names = snapshot.endpoints.get(endpoint_id)
        return None if names is None else [names.endpoint, names.host]

    return _gauge_family(name, documentation, [*ENDPOINT_LABELS, *extra], values, labels_of)


def _platform_webhook_families(snapshot: PlatformWebhookSnapshot) -> Iterator[Metric]:
    yield _endpoint_gauge(
        "platform_webhook_endpoint_enabled",
        "1 when the scheduling platform's endpoint is sent events, 0 when disabled.",
        [],
        snapshot.enabled,
        snapshot,
    )
    yield _endpoint_gauge(
        "platform_webhook_failure_streak",
        "Failed delivery attempts to the endpoint since its last success.",
        [],
        snapshot.failure_streak,
        snapshot,
    )
    yield _endpoint_gauge(
        "platform_webhook_deliveries",
        "Deliveries to the endpoint not delivered (yet), by state: pending, delivering, retrying or dead.",
        ["state"],
        snapshot.deliveries,
        snapshot,
    )
    yield _endpoint_gauge(
        "platform_webhook_oldest_undelivered_seconds",
        "Age of the oldest event still waiting to reach the endpoint (absent: none waits).",
        [],
        snapshot.oldest_undelivered_seconds,
        snapshot,
    )
