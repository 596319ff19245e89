"""/metrics: Prometheus text that Prometheus's own parser reads, per connection, behind a token when set."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from integrations.models import (
    Alert,
    AlertKind,
    ApiCallLedger,
    Connection,
    HourlyActivity,
    PlatformWebhookDelivery,
    PlatformWebhookEndpoint,
    PlatformWebhookMessage,
    WebhookEvent,
    Writeback,
)
from integrations.services.records_prune import records_prune
from sync.models import SyncRun


def _samples(response) -> dict[tuple[str, frozenset], float]:
    text = response.content.decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _acme(**labels) -> frozenset:
    return frozenset({"connection": "Acme", "customer_id": "2187", **labels}.items())


@pytest.fixture
def activity(connection):
    now = timezone.now()
    SyncRun.objects.create(
        connection=connection,
        entity="jobs",
        mode=SyncRun.Mode.INCREMENTAL_SEARCH,
        status=SyncRun.Status.SUCCEEDED,
        started_at=now - timedelta(minutes=4),
        finished_at=now - timedelta(minutes=3),
    )
    SyncRun.objects.create(
        connection=connection,
        entity="jobs",
        mode=SyncRun.Mode.INCREMENTAL_SEARCH,
        status=SyncRun.Status.FAILED,
        started_at=now - timedelta(minutes=2),
        finished_at=now - timedelta(minutes=1),
    )
    ApiCallLedger.objects.create(
        connection=connection,
        hour=now.replace(minute=0, second=0, microsecond=0),
        purpose="sync",
        calls=50,
        failed_calls=2,
    )
    WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id="2187",
        payload={},
        dedupe_key="a",
        state=WebhookEvent.State.PROCESSED,
    )
    HourlyActivity.objects.create(
        connection=connection,
        hour=now.replace(minute=0, second=0, microsecond=0),
        series="webhook_events",
        label="processed",
        count=4,
        total_seconds=10.0,
        max_seconds=5.0,
    )
    Writeback.objects.create(
        connection=connection, action=Writeback.Action.ADVANCE_STATUS, idempotency_key="w1", state=Writeback.State.DEAD
    )
    Alert.objects.create(
        connection=connection, kind=AlertKind.SYNC_FAILING, message="3 runs failed", opened_at=now, last_seen_at=now
    )
    Alert.objects.create(
        connection=connection,
        kind=AlertKind.SYNC_STALE,
        message="old",
        opened_at=now,
        last_seen_at=now,
        resolved_at=now,
    )


def test_metrics_parse_with_prometheus_own_parser_and_carry_each_connections_figures(client, activity):
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = _samples(response)
    assert samples[("goodtime_icims_connection_active", _acme())] == 1
    assert 235 <= samples[("goodtime_icims_data_age_seconds", _acme(entity="jobs"))] <= 300
    assert samples[("goodtime_icims_sync_runs_total", _acme(outcome="succeeded"))] == 1
    assert samples[("goodtime_icims_sync_runs_total", _acme(outcome="failed"))] == 1
    assert samples[("goodtime_icims_icims_calls_today", _acme(purpose="sync", result="ok"))] == 48
    assert samples[("goodtime_icims_icims_calls_today", _acme(purpose="sync", result="failed"))] == 2
    assert samples[("goodtime_icims_webhook_events", _acme(state="processed"))] == 1
    assert samples[("goodtime_icims_webhook_processing_seconds_count", _acme())] == 4
    assert samples[("goodtime_icims_webhook_processing_seconds_sum", _acme())] == 10
    assert samples[("goodtime_icims_writebacks", _acme(state="dead"))] == 1
    assert samples[("goodtime_icims_hourly_call_budget", _acme())] == 80000
    assert samples[("goodtime_icims_open_alerts", _acme(rule=AlertKind.SYNC_FAILING.value))] == 1
    assert ("goodtime_icims_open_alerts", _acme(rule=AlertKind.SYNC_STALE.value)) not in samples  # resolved


def test_the_allowance_iCIMS_reported_is_exported(client, connection):
    from integrations.services.icims_clients import icims_call_budget

    icims_call_budget(connection=connection).observe(
        {"x-ratelimit-limit": "10000", "x-ratelimit-remaining": "2500", "x-ratelimit-reset": "3600"}
    )

    samples = _samples(client.get("/metrics"))

    assert samples[("goodtime_icims_icims_allowance_remaining", _acme())] == 2500
    assert samples[("goodtime_icims_icims_allowance_limit", _acme())] == 10000


def test_the_number_of_queries_does_not_grow_with_the_connections(client, connection):
    def queries() -> int:
        with CaptureQueriesContext(db) as captured:
            assert client.get("/metrics").status_code == 200
        return len(captured)

    few = queries()
    Connection.objects.bulk_create(
        Connection(name=f"Tenant {n}", customer_id=str(5000 + n), stream_id=f"s{n}") for n in range(30)
    )

    assert queries() == few <= 11


def test_with_a_token_set_a_scrape_without_it_or_with_another_is_refused(client, settings, db):
    settings.METRICS_TOKEN = "scrape-token-1234"

    missing = client.get("/metrics")
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-9999")
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-1234")

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"goodtime_icims" not in missing.content


def test_metrics_are_not_redirected_to_https(client, settings, db):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/metrics").status_code == 200


def test_the_platforms_endpoints_show_what_waits_for_them_and_since_when(client, db):
    now = timezone.now()
    late = PlatformWebhookEndpoint.objects.create(
        url="https://platform.example.com/hooks/icims?token=not-a-label", secret="whsec_x", failure_streak=3
    )
    idle = PlatformWebhookEndpoint.objects.create(url="https://other.example.com/hooks", secret="whsec_y")
    states = ["pending", "retrying", "retrying", "dead", "delivered"]
    for number, state in enumerate(states):
        message = PlatformWebhookMessage.objects.create(event_id=f"msg_{number}", event_type="t", payload={})
        PlatformWebhookDelivery.objects.create(message=message, endpoint=late, state=state)
    # The oldest waiting event is the first retrying one: 40 minutes; the dead and delivered ones wait for nothing.
    ages = {"msg_0": 10, "msg_1": 40, "msg_2": 5, "msg_3": 90, "msg_4": 120}
    for event_id, minutes in ages.items():
        PlatformWebhookDelivery.objects.filter(message__event_id=event_id).update(
            created_at=now - timedelta(minutes=minutes)
        )

    samples = _samples(client.get("/metrics"))

    def labels(endpoint, **extra) -> frozenset:
        return frozenset({"endpoint": str(endpoint.pk), "host": endpoint.url.split("/")[2], **extra}.items())

    assert samples[("goodtime_icims_platform_webhook_endpoint_enabled", labels(late))] == 1
    assert samples[("goodtime_icims_platform_webhook_failure_streak", labels(late))] == 3
    assert samples[("goodtime_icims_platform_webhook_deliveries", labels(late, state="pending"))] == 1
    assert samples[("goodtime_icims_platform_webhook_deliveries", labels(late, state="retrying"))] == 2
    assert samples[("goodtime_icims_platform_webhook_deliveries", labels(late, state="dead"))] == 1
    assert ("goodtime_icims_platform_webhook_deliveries", labels(late, state="delivered")) not in samples
    assert 40 * 60 <= samples[("goodtime_icims_platform_webhook_oldest_undelivered_seconds", labels(late))] < 41 * 60
    assert ("goodtime_icims_platform_webhook_oldest_undelivered_seconds", labels(idle)) not in samples
    assert samples[("goodtime_icims_platform_webhook_failure_streak", labels(idle))] == 0
    assert not any("token" in value for _, names in samples for _, value in names)  # the URL is not a label


def test_the_sync_run_counter_never_falls_when_retention_deletes_old_runs(client, connection):
    now = timezone.now()
    for days_ago in (40, 39, 38, 1):
        started = now - timedelta(days=days_ago)
        for status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED):
            SyncRun.objects.create(
                connection=connection,
                entity="jobs",
                mode=SyncRun.Mode.INCREMENTAL_SEARCH,
                status=status,
                started_at=started,
                finished_at=started + timedelta(minutes=1),
            )
    before = _samples(client.get("/metrics"))

    records_prune(now=now, days=30)

    after = _samples(client.get("/metrics"))
    assert SyncRun.objects.count() == 2  # six runs of 38-40 days ago went; the pair of yesterday stays
    for outcome, runs in (("succeeded", 4), ("failed", 4)):
        key = ("goodtime_icims_sync_runs_total", _acme(outcome=outcome))
        assert before[key] == after[key] == runs
