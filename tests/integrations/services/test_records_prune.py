"""Retention: what ended more than RETENTION_DAYS ago goes, in batches; what still waits, runs or retries stays,
and so does each connection and entity's latest successful sync run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import (
    PlatformWebhookAttempt,
    PlatformWebhookDelivery,
    PlatformWebhookEndpoint,
    PlatformWebhookMessage,
    SchedulingRequest,
    Stage,
    WebhookEvent,
)
from integrations.services.records_prune import records_prune
from sync.models import SyncRun
from tests.integrations.stored_events import stored_webhook_event

NOW = timezone.now()
OLD = NOW - timedelta(days=31)
RECENT = NOW - timedelta(days=29)


def _event(connection, key: str, state: str, at) -> WebhookEvent:
    return stored_webhook_event(connection, key=key, state=state, received_at=at, state_changed_at=at)


def _run(connection, entity: str, status: str, at) -> SyncRun:
    return SyncRun.objects.create(
        connection=connection,
        entity=entity,
        mode=SyncRun.Mode.INCREMENTAL_SEARCH,
        status=status,
        started_at=at,
        finished_at=None if status in (SyncRun.Status.RUNNING, SyncRun.Status.QUEUED) else at + timedelta(minutes=1),
    )


def _remaining(model, **filters) -> set[str]:
    return set(model.objects.filter(**filters).values_list("pk", flat=True))


def test_finished_webhook_events_go_after_the_window_and_unfinished_ones_stay(connection):
    old_done = [_event(connection, f"done-{state}", state, OLD) for state in ("processed", "ignored", "failed")]
    old_waiting = [_event(connection, f"open-{state}", state, OLD) for state in ("received", "processing")]
    recent = _event(connection, "recent", "processed", RECENT)
    stage = Stage.objects.create(connection=connection, bin="Interview", status="Schedule", status_id="C1")
    request = SchedulingRequest.objects.create(
        connection=connection,
        workflow_id="13437",
        candidate_id="8986",
        job_id="4442",
        trigger_stage=stage,
        last_event=old_done[0],
    )

    deleted = records_prune(now=NOW, days=30)

    assert deleted["webhook events"] == 3
    assert _remaining(WebhookEvent) == {event.pk for event in [*old_waiting, recent]}
    request.refresh_from_db()
    assert request.last_event is None  # the request stays, without the link to a deleted event


def test_old_sync_runs_go_but_each_entitys_latest_success_stays_however_old(connection):
    latest_jobs_success = _run(connection, "jobs", SyncRun.Status.SUCCEEDED, OLD)
    older_jobs_success = _run(connection, "jobs", SyncRun.Status.SUCCEEDED, OLD - timedelta(days=1))
    old_failure = _run(connection, "jobs", SyncRun.Status.FAILED, OLD + timedelta(hours=1))
    old_candidates_success = _run(connection, "candidates", SyncRun.Status.SUCCEEDED, OLD - timedelta(days=5))
    still_running = _run(connection, "users", SyncRun.Status.RUNNING, OLD)
    still_queued = _run(connection, "users", SyncRun.Status.QUEUED, OLD)
    recent_failure = _run(connection, "candidates", SyncRun.Status.FAILED, RECENT)

    deleted = records_prune(now=NOW, days=30)

    assert deleted["sync runs"] == 2
    assert _remaining(SyncRun) == {
        run.pk for run in (latest_jobs_success, old_candidates_success, still_running, still_queued, recent_failure)
    }
    assert not SyncRun.objects.filter(pk__in=[older_jobs_success.pk, old_failure.pk]).exists()


def test_delivered_and_dead_deliveries_go_with_their_attempts_and_then_their_events(db):
    endpoint = PlatformWebhookEndpoint.objects.create(url="https://platform.example.com/hooks", secret="whsec_x")

    def delivery(event_id: str, state: str, **fields) -> PlatformWebhookDelivery:
        message = PlatformWebhookMessage.objects.create(event_id=event_id, event_type="t", payload={})
        made = PlatformWebhookDelivery.objects.create(message=message, endpoint=endpoint, state=state, **fields)
        PlatformWebhookAttempt.objects.create(delivery=made, started_at=OLD, request_body="{}")
        PlatformWebhookMessage.objects.filter(pk=message.pk).update(created_at=OLD)
        return made

    delivered = delivery("delivered-long-ago", "delivered", delivered_at=OLD)
    dead = delivery("dead-long-ago", "dead")
    PlatformWebhookDelivery.objects.filter(pk=dead.pk).update(updated_at=OLD)
    retrying = delivery("still-retrying", "retrying")
    PlatformWebhookDelivery.objects.filter(pk=retrying.pk).update(updated_at=OLD)
    delivered_lately = delivery("delivered-lately", "delivered", delivered_at=RECENT)

    deleted = records_prune(now=NOW, days=30)

    assert deleted["platform webhook deliveries"] == 2
    assert deleted["platform webhook events"] == 2
    assert _remaining(PlatformWebhookDelivery) == {retrying.pk, delivered_lately.pk}
    assert set(PlatformWebhookMessage.objects.values_list("event_id", flat=True)) == {
        "still-retrying",
        "delivered-lately",
    }
    assert not PlatformWebhookAttempt.objects.filter(delivery_id__in=[delivered.pk, dead.pk]).exists()


def test_rows_go_in_batches_and_each_batch_reports_progress(connection):
    for number in range(5):
        _event(connection, f"old-{number}", "processed", OLD)
    reported = []

    deleted = records_prune(now=NOW, days=30, batch_size=2, progress=lambda kind, count: reported.append((kind, count)))

    assert deleted["webhook events"] == 5
    assert reported == [("webhook events", 2), ("webhook events", 4), ("webhook events", 5)]
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("days", [0, -1])
def test_retention_off_deletes_nothing(connection, days):
    _event(connection, "very-old", "processed", NOW - timedelta(days=3650))

    assert records_prune(now=NOW, days=days) == {}
    assert WebhookEvent.objects.count() == 1
