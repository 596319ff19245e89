"""The charts' data: hourly series from the call ledger and the activity rollup, in bounded queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.models import ApiCallLedger, Connection, HourlyActivity
from integrations.selectors.connection_charts import (
    ChartWindow,
    activity_charts,
    calls_per_hour_chart,
    chart_hours,
    connection_charts,
)

NOW = datetime(2026, 11, 26, 14, 25, tzinfo=UTC)
THIS_HOUR = datetime(2026, 11, 26, 14, tzinfo=UTC)


def _series(chart, name):
    return next(series for series in chart.series if series.name == name)


def test_a_day_is_24_clock_hours_ending_with_the_current_one():
    hours = chart_hours(window=ChartWindow.DAY, now=NOW)

    assert len(hours) == 24
    assert hours[-1] == THIS_HOUR
    assert hours[0] == THIS_HOUR - timedelta(hours=23)
    assert len(chart_hours(window=ChartWindow.WEEK, now=NOW)) == 168


def test_calls_per_hour_are_split_by_purpose_against_the_budget(connection):
    connection.hourly_call_budget = 5000
    connection.save()
    ApiCallLedger.objects.create(connection=connection, hour=THIS_HOUR, purpose="sync", calls=1200)
    ApiCallLedger.objects.create(connection=connection, hour=THIS_HOUR, purpose="live", calls=30)
    ApiCallLedger.objects.create(connection=connection, hour=THIS_HOUR - timedelta(hours=3), purpose="sync", calls=800)
    ApiCallLedger.objects.create(connection=connection, hour=THIS_HOUR - timedelta(days=2), purpose="sync", calls=99)

    chart = calls_per_hour_chart(connection=connection, window=ChartWindow.DAY, now=NOW)

    assert [series.name for series in chart.series] == ["live", "writeback", "webhook", "sync"]
    sync = _series(chart, "sync").values
    assert sync[-1] == 1200
    assert sync[-4] == 800
    assert sum(value or 0 for value in sync) == 2000  # two days ago is outside the window
    assert _series(chart, "live").values[-1] == 30
    assert (chart.limit, chart.limit_label) == (5000, "hourly budget 5,000")


def test_another_connections_calls_are_not_drawn(connection):
    other = Connection.objects.create(name="Other", customer_id="9999", stream_id="s")
    ApiCallLedger.objects.create(connection=other, hour=THIS_HOUR, purpose="sync", calls=500)

    chart = calls_per_hour_chart(connection=connection, window=ChartWindow.DAY, now=NOW)

    assert not chart.has_data


def _activity(connection, series, label, *, hours_ago=0, count=1, total=0.0, longest=0.0):
    HourlyActivity.objects.create(
        connection=connection,
        hour=THIS_HOUR - timedelta(hours=hours_ago),
        series=series,
        label=label,
        count=count,
        total_seconds=total,
        max_seconds=longest,
    )


def test_data_age_is_drawn_in_minutes_per_entity_with_gaps_where_no_run_ended(connection):
    _activity(connection, "data_age", "jobs", hours_ago=1, longest=600)
    _activity(connection, "data_age", "jobs", hours_ago=0, longest=90)

    data_age = activity_charts(connection=connection, window=ChartWindow.DAY, now=NOW)[0]

    jobs = _series(data_age, "jobs").values
    assert (jobs[-2], jobs[-1]) == (10, 1.5)
    assert jobs[-3] is None
    assert all(value is None for value in _series(data_age, "users").values)


def test_webhook_volume_latency_and_writeback_outcomes_come_from_the_rollup(connection):
    _activity(connection, "webhook_events", "processed", count=40)
    _activity(connection, "webhook_events", "failed", count=2)
    _activity(connection, "webhook_to_request", "started", count=3, total=30, longest=20)
    _activity(connection, "webhook_to_request", "reopened", count=1, total=10, longest=10)
    _activity(connection, "writeback_outcomes", "succeeded", hours_ago=5, count=7)
    _activity(connection, "writeback_outcomes", "dead", hours_ago=5, count=1)

    _, webhooks, latency, writebacks = activity_charts(connection=connection, window=ChartWindow.DAY, now=NOW)

    assert _series(webhooks, "processed").values[-1] == 40
    assert _series(webhooks, "failed").values[-1] == 2
    assert _series(latency, "average").values[-1] == 10  # 40 s over 4 requests
    assert _series(latency, "slowest").values[-1] == 20
    assert _series(writebacks, "succeeded").values[-6] == 7
    assert _series(writebacks, "dead").values[-6] == 1


def test_all_charts_take_two_queries_however_much_data_there_is(connection, django_assert_num_queries):
    for hours_ago in range(168):
        ApiCallLedger.objects.create(
            connection=connection, hour=THIS_HOUR - timedelta(hours=hours_ago), purpose="sync", calls=hours_ago
        )
        _activity(connection, "webhook_events", "processed", hours_ago=hours_ago, count=hours_ago)

    with django_assert_num_queries(2):
        charts = connection_charts(connection=connection, window=ChartWindow.WEEK, now=NOW)

    assert [chart.key for chart in charts] == ["calls", "data-age", "webhooks", "webhook-latency", "writebacks"]
