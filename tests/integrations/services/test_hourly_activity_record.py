"""The hourly rollups: one row per connection, series, hour and label, counting and timing what happened."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import responses
from django.utils import timezone

from integrations.models import HourlyActivity, SchedulingRequest, WebhookEvent, Writeback
from integrations.services.hourly_activity_record import hourly_activity_record
from integrations.services.webhook_event_process import webhook_event_process
from tests.integrations.conftest import TRIGGER, WORKFLOW_ID

AT = datetime(2026, 11, 26, 14, 25, tzinfo=UTC)


def test_observations_of_one_hour_share_one_row_with_count_total_and_maximum(connection):
    for seconds in (3, 10, 5):
        hourly_activity_record(
            connection_id=connection.pk, series="webhook_events", label="processed", seconds=seconds, at=AT
        )

    row = HourlyActivity.objects.get()
    assert row.hour == datetime(2026, 11, 26, 14, tzinfo=UTC)
    assert (row.count, row.total_seconds, row.max_seconds) == (3, 18, 10)


def test_another_hour_or_label_opens_another_row(connection):
    hourly_activity_record(connection_id=connection.pk, series="webhook_events", label="processed", at=AT)
    hourly_activity_record(connection_id=connection.pk, series="webhook_events", label="failed", at=AT)
    hourly_activity_record(
        connection_id=connection.pk, series="webhook_events", label="processed", at=AT + timedelta(hours=1)
    )

    assert HourlyActivity.objects.count() == 3


def test_a_negative_duration_from_a_skewed_clock_counts_as_zero(connection):
    hourly_activity_record(connection_id=connection.pk, series="data_age", label="jobs", seconds=-4, at=AT)

    assert HourlyActivity.objects.get().max_seconds == 0


def test_a_processed_webhook_event_counts_with_its_latency_and_its_request(sandbox, sandbox_stages, stored_event):
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    event = stored_event()
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(seconds=30))

    webhook_event_process(event_id=event.pk)

    assert SchedulingRequest.objects.count() == 1
    handled = HourlyActivity.objects.get(series=HourlyActivity.Series.WEBHOOK_EVENTS)
    assert (handled.label, handled.count) == ("processed", 1)
    assert 30 <= handled.max_seconds < 60
    to_request = HourlyActivity.objects.get(series=HourlyActivity.Series.WEBHOOK_TO_REQUEST)
    assert (to_request.label, to_request.count) == ("started", 1)
    assert 30 <= to_request.max_seconds < 60


def test_an_event_put_back_for_a_retry_is_not_counted_until_it_ends(connection):
    event = WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        system_id="13437",
        payload={},
        dedupe_key="k1",
    )

    with responses.RequestsMock():  # nothing answers: iCIMS is unreachable, a retryable failure
        webhook_event_process(event_id=event.pk)

    event.refresh_from_db()
    assert event.state == WebhookEvent.State.RECEIVED
    assert not HourlyActivity.objects.exists()


def test_each_write_back_attempt_counts_under_the_state_it_left_the_write_back_in(advance, sandbox):
    from integrations.services.writeback_send import writeback_send

    sandbox.faults.inject("error", count=1, path="applicantworkflows")
    writeback_send(writeback_id=advance.pk)
    Writeback.objects.filter(pk=advance.pk).update(next_attempt_at=timezone.now())
    writeback_send(writeback_id=advance.pk)

    outcomes = dict(
        HourlyActivity.objects.filter(series=HourlyActivity.Series.WRITEBACK_OUTCOMES).values_list("label", "count")
    )
    assert outcomes == {"retrying": 1, "succeeded": 1}
