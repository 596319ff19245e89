"""Replaying events: back to received with fresh attempts, never while a worker holds them."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.models import Connection, WebhookEvent
from integrations.services.webhook_events_replay import webhook_events_replay, webhook_events_replay_failed
from tests.integrations.stored_events import stored_webhook_event


def _stored(connection, *, state, key, received_at=None) -> WebhookEvent:
    return stored_webhook_event(
        connection, key=key, state=state, attempts=5, last_error="boom", received_at=received_at or timezone.now()
    )


def test_replayed_events_are_reset_and_enqueued(connection, django_capture_on_commit_callbacks):
    failed = _stored(connection, state=WebhookEvent.State.FAILED, key="f")
    ignored = _stored(connection, state=WebhookEvent.State.IGNORED, key="i")

    with django_capture_on_commit_callbacks() as callbacks:
        count = webhook_events_replay(events=WebhookEvent.objects.all())

    assert count == 2
    assert len(callbacks) == 2
    for event in (failed, ignored):
        event.refresh_from_db()
        assert (event.state, event.attempts, event.last_error) == (WebhookEvent.State.RECEIVED, 0, "")


def test_an_event_being_processed_is_not_replayed(connection, django_capture_on_commit_callbacks):
    busy = _stored(connection, state=WebhookEvent.State.PROCESSING, key="p")

    with django_capture_on_commit_callbacks() as callbacks:
        count = webhook_events_replay(events=WebhookEvent.objects.all())

    assert count == 0
    assert callbacks == []
    busy.refresh_from_db()
    assert busy.state == WebhookEvent.State.PROCESSING


def test_replay_failed_since_takes_only_failed_events_after_that_time_for_that_connection(connection):
    other = Connection.objects.create(name="Other", customer_id="9999")
    since = timezone.now() - timedelta(hours=1)
    recent = _stored(connection, state=WebhookEvent.State.FAILED, key="recent")
    old = _stored(connection, state=WebhookEvent.State.FAILED, key="old", received_at=since - timedelta(hours=1))
    processed = _stored(connection, state=WebhookEvent.State.PROCESSED, key="done")
    elsewhere = _stored(other, state=WebhookEvent.State.FAILED, key="elsewhere")

    assert webhook_events_replay_failed(since=since, connection=connection) == 1

    states = {event.dedupe_key: event.state for event in WebhookEvent.objects.all()}
    assert states == {
        recent.dedupe_key: "received",
        old.dedupe_key: "failed",
        processed.dedupe_key: "processed",
        elsewhere.dedupe_key: "failed",
    }
