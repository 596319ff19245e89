"""The admin sees usage this hour and today by purpose, the allowance, its reset and the breaker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsNotFound
from integrations.models import ApiCallLedger
from integrations.selectors.api_usage import api_usage_summary
from integrations.services.api_usage import api_call_record
from integrations.services.icims_clients import icims_circuit_breaker, icims_client_for
from tests.fixtures.icims import icims_fixture
from tests.integrations.icims.support import CUSTOMER_URL

RATE_HEADERS = {"x-ratelimit-limit": "20000", "x-ratelimit-remaining": "19902", "x-ratelimit-reset": "9299"}


def test_every_call_is_counted_by_purpose_this_hour_and_today(connection, icims, token_endpoint):
    icims.get(f"{CUSTOMER_URL}/jobs/1026", json=icims_fixture("job"), headers=RATE_HEADERS)
    icims.get(f"{CUSTOMER_URL}/jobs/9", status=404, json=icims_fixture("error_not_found"))
    sync = icims_client_for(connection=connection, purpose=Purpose.SYNC)
    live = icims_client_for(connection=connection, purpose=Purpose.LIVE)

    sync.get_job(1026)
    sync.get_job(1026)
    live.get_job(1026)
    with pytest.raises(IcimsNotFound):
        live.get_job(9)

    summary = api_usage_summary(connection=connection)
    assert summary.calls_this_hour == {"live": 2, "writeback": 0, "webhook": 0, "sync": 2}
    assert summary.calls_today == summary.calls_this_hour
    assert summary.total_this_hour == 4
    assert summary.failed_today == 1
    assert summary.daily_limit == 20000
    assert summary.daily_remaining == 19902
    assert summary.daily_reset_at == pytest.approx(timezone.now() + timedelta(seconds=9299), abs=timedelta(seconds=5))
    assert summary.breaker_state == "closed"
    assert summary.paused_until is None


def test_today_adds_up_the_hours_since_midnight_utc(connection):
    now = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
    api_call_record(connection_id=connection.pk, purpose="sync", status=200, at=now)
    api_call_record(connection_id=connection.pk, purpose="sync", status=200, at=now - timedelta(hours=5))
    api_call_record(connection_id=connection.pk, purpose="sync", status=500, at=now - timedelta(hours=19))

    summary = api_usage_summary(connection=connection, now=now)

    assert summary.calls_this_hour["sync"] == 1
    assert summary.calls_today["sync"] == 2
    assert ApiCallLedger.objects.filter(connection=connection).count() == 3


def test_an_open_breaker_shows_in_the_summary(connection):
    breaker = icims_circuit_breaker(connection=connection)
    for _ in range(breaker.threshold):
        breaker.record_failure()

    summary = api_usage_summary(connection=connection)

    assert summary.breaker_state == "open"
    assert summary.breaker_retry_at > timezone.now()
