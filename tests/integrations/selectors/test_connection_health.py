"""The health selector: one state and reason per connection, from the rows the portal keeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.models import AlertSettings, Connection, HealthState, Stage, Writeback
from integrations.selectors.connection_health import (
    ConnectionFacts,
    EntityFacts,
    Thresholds,
    connection_health,
    connection_health_from_facts,
    connections_health,
)
from integrations.services.icims_clients import icims_call_budget, icims_circuit_breaker
from integrations.services.scheduling_request_trigger import NOT_A_STAGE
from sync.models import Entity, SyncRun
from tests.integrations.health_world import (
    REFUSED,
    failed_runs,
    synced,
    tenant,
    webhook_waiting,
    writeback_in,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def fresh_entities(age=timedelta(minutes=1)):
    return [EntityFacts(entity=entity, last_success_started_at=NOW - age) for entity in Entity.values]


def test_a_synced_connection_with_nothing_waiting_is_healthy():
    report = connection_health_from_facts(facts=ConnectionFacts(entities=fresh_entities()), now=NOW)
    assert report.state == HealthState.HEALTHY
    assert report.reason == "Synced, webhooks flowing, nothing waiting"
    assert report.data_as_of == NOW - timedelta(minutes=1)


def test_a_paused_connection_is_paused_whatever_else_is_wrong():
    facts = ConnectionFacts(is_active=False, entities=fresh_entities(timedelta(days=3)), dead_writebacks=2)
    report = connection_health_from_facts(facts=facts, now=NOW)
    assert report.state == HealthState.PAUSED
    assert not report.alerting


def test_a_connection_before_its_initial_sync_is_onboarding_and_names_the_next_step():
    facts = ConnectionFacts(
        initial_sync_done=False, onboarding_progress="3/8", next_onboarding_step="Bins and statuses imported"
    )
    report = connection_health_from_facts(facts=facts, now=NOW)
    assert report.state == HealthState.ONBOARDING
    assert report.reason == "Onboarding, 3/8 steps done; next: Bins and statuses imported"


def test_old_data_is_degraded_and_says_which_entity_and_how_old():
    entities = [*fresh_entities()[:2], EntityFacts(entity="users", last_success_started_at=NOW - timedelta(minutes=42))]
    report = connection_health_from_facts(facts=ConnectionFacts(entities=entities), now=NOW)
    assert report.state == HealthState.DEGRADED
    assert report.reason == "users data is 42 min old (limit 15 min)"
    assert report.data_as_of == NOW - timedelta(minutes=42)


def test_the_stale_threshold_is_the_connections_own():
    entities = fresh_entities(timedelta(minutes=42))
    report = connection_health_from_facts(
        facts=ConnectionFacts(entities=entities), thresholds=Thresholds(sync_stale_minutes=60), now=NOW
    )
    assert report.state == HealthState.HEALTHY


def test_three_failed_runs_in_a_row_are_failing_and_outrank_stale_data():
    entities = [
        EntityFacts(
            entity="jobs", last_success_started_at=NOW - timedelta(hours=2), failed_in_a_row=3, last_error="HTTP 500"
        ),
        *fresh_entities()[1:],
    ]
    report = connection_health_from_facts(facts=ConnectionFacts(entities=entities), now=NOW)
    assert report.state == HealthState.FAILING
    assert report.reason == "jobs sync failed 3 times in a row: HTTP 500 (+1 more)"
    assert [p.kind for p in report.problems] == ["sync_failing", "sync_stale"]
    assert report.last_error == "HTTP 500"


def test_two_failed_runs_are_not_yet_failing():
    entities = [EntityFacts(entity="jobs", last_success_started_at=NOW, failed_in_a_row=2, last_error="HTTP 500")]
    report = connection_health_from_facts(facts=ConnectionFacts(entities=entities), now=NOW)
    assert report.state == HealthState.HEALTHY


@pytest.mark.parametrize(
    ("facts", "state", "reason"),
    [
        (
            {"oldest_unprocessed_at": NOW - timedelta(minutes=5), "webhook_backlog": 4},
            HealthState.FAILING,
            "4 webhook event(s) unprocessed, the oldest for 5 min",
        ),
        ({"oldest_unprocessed_at": NOW - timedelta(seconds=30), "webhook_backlog": 1}, HealthState.HEALTHY, None),
        (
            {"dead_writebacks": 2},
            HealthState.FAILING,
            "2 write-back(s) to iCIMS gave up (dead); retry them under Write-backs",
        ),
        ({"breaker_state": "open"}, HealthState.FAILING, "iCIMS calls keep failing: the circuit breaker is open"),
        (
            {"daily_limit": 10000, "daily_remaining": 900},
            HealthState.DEGRADED,
            "900 of today's 10000 iCIMS calls left (under 10%)",
        ),
        ({"daily_limit": 10000, "daily_remaining": 1000}, HealthState.HEALTHY, None),
        (
            {"has_stream": True, "latest_incremental_mode": "incremental-search", "latest_incremental_error": "gone"},
            HealthState.DEGRADED,
            "gone",
        ),
        ({"has_stream": True, "latest_incremental_mode": "incremental-stream"}, HealthState.HEALTHY, None),
        (
            {"unknown_status_events": 3},
            HealthState.DEGRADED,
            "3 webhook event(s) in 24 h named a status that is not an active stage: "
            "import the stages, then replay them",
        ),
        ({"waiting_writebacks": 1}, HealthState.DEGRADED, "1 write-back(s) waiting for over 30 min"),
        (
            {"paused_until": NOW + timedelta(minutes=1)},
            HealthState.DEGRADED,
            "iCIMS asked us to wait until 12:01:00 UTC",
        ),
    ],
)
def test_each_fact_gives_its_state_and_reason(facts, state, reason):
    report = connection_health_from_facts(facts=ConnectionFacts(entities=fresh_entities(), **facts), now=NOW)
    assert report.state == state
    if reason:
        assert report.reason == reason


def test_refused_credentials_are_failing_from_the_first_failed_run():
    entities = [
        EntityFacts(entity="jobs", last_success_started_at=NOW, failed_in_a_row=1, last_error=REFUSED),
        *fresh_entities()[1:],
    ]
    report = connection_health_from_facts(facts=ConnectionFacts(entities=entities), now=NOW)
    assert report.state == HealthState.FAILING
    assert report.reason.startswith("iCIMS refused the credentials: iCIMS refused the client id")


# -- from the database ---------------------------------------------------------------------------


def test_the_database_facts_of_a_synced_tenant_make_it_healthy():
    acme = tenant("Acme", "2187")
    report = connection_health(connection=acme)
    assert report.state == HealthState.HEALTHY, report.reason
    assert report.calls_today == 0


def test_the_database_facts_of_a_broken_tenant_name_each_problem():
    broken = tenant("Broken", "3000", stream_id="stream-1")
    failed_runs(broken, entity="candidates", count=3)
    webhook_waiting(broken, minutes=10)
    webhook_waiting(broken, minutes=1, outcome=f"Workflow 1 is at Hired (C1), {NOT_A_STAGE}.", state="processed")
    writeback_in(broken, state=Writeback.State.DEAD)
    SyncRun.objects.filter(connection=broken, entity="jobs").update(mode=SyncRun.Mode.INCREMENTAL_SEARCH)
    report = connection_health(connection=broken)
    assert report.state == HealthState.FAILING
    assert {p.kind for p in report.problems} == {
        "sync_failing",
        "webhook_stuck",
        "writeback_dead",
        "stream_fallback",
        "unknown_status",
    }
    assert report.last_error == "iCIMS answered HTTP 500"


def test_a_success_after_failures_ends_the_failing_streak():
    acme = tenant("Acme", "2187")
    failed_runs(acme, entity="jobs", count=3)
    synced(acme, at=timezone.now(), entities=["jobs"])
    assert connection_health(connection=acme).state == HealthState.HEALTHY


def test_shared_state_facts_come_from_the_budget_and_the_breaker():
    acme = tenant("Acme", "2187")
    icims_call_budget(connection=acme).observe(
        {"x-ratelimit-limit": "1000", "x-ratelimit-remaining": "5", "x-ratelimit-reset": "3600"}
    )
    breaker = icims_circuit_breaker(connection=acme)
    for _ in range(10):
        breaker.record_failure()
    report = connection_health(connection=acme)
    assert report.state == HealthState.FAILING
    assert {p.kind for p in report.problems} >= {"breaker_open", "allowance_low"}
    assert (report.daily_limit, report.daily_remaining) == (1000, 5)


def test_per_connection_thresholds_are_read_from_its_alert_settings():
    acme = tenant("Acme", "2187")
    failed_runs(acme, entity="jobs", count=3)
    AlertSettings.objects.create(connection=acme, sync_failing_runs=5)
    assert connection_health(connection=acme).state == HealthState.HEALTHY


def test_a_tenant_without_any_sync_yet_is_onboarding():
    fresh = Connection.objects.create(name="New", customer_id="4000")
    Stage.objects.create(connection=fresh, bin="Interview", status="Screen", status_id="C1", position=0)
    report = connection_health(connection=fresh)
    assert report.state == HealthState.ONBOARDING
    assert report.reason == "Onboarding, 2/8 steps done; next: iCIMS StreamId"


def test_the_number_of_queries_does_not_grow_with_the_number_of_connections():
    def queries_for_all() -> int:
        with CaptureQueriesContext(db_connection) as captured:
            connections_health()
        return len(captured)

    tenant("First", "1")
    one = queries_for_all()
    for index in range(2, 21):
        failed_runs(tenant(f"T{index}", str(index)), count=index % 4)
    assert queries_for_all() == one


def test_a_run_that_fell_back_to_search_makes_the_tenant_degraded_even_once_the_stream_id_is_gone():
    acme = tenant("Acme", "2187")
    assert connection_health(connection=acme).state == HealthState.HEALTHY
    SyncRun.objects.filter(connection=acme, entity="jobs").update(
        mode=SyncRun.Mode.INCREMENTAL_SEARCH, fell_back_to_search=True, error="Data stream unavailable"
    )
    report = connection_health(connection=acme)
    assert (report.state, [p.kind for p in report.problems]) == (HealthState.DEGRADED, ["stream_fallback"])
