"""The sweeper: rows, not messages, are the truth; whatever the queue lost is sent again."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.models import WebhookEvent
from integrations.services.webhook_events_sweep import webhook_events_sweep
from tests.integrations.stored_events import stored_webhook_event


def _stored(connection, *, state, age: timedelta, attempts=0, key="k") -> WebhookEvent:
    return stored_webhook_event(
        connection, key=key, state=state, state_changed_at=timezone.now() - age, attempts=attempts
    )


def test_an_event_left_in_received_is_enqueued_again(connection, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_STUCK_RECEIVED_SECONDS = 120
    stuck = _stored(connection, state=WebhookEvent.State.RECEIVED, age=timedelta(minutes=5), key="stuck")
    _stored(connection, state=WebhookEvent.State.RECEIVED, age=timedelta(seconds=10), key="fresh")

    with django_capture_on_commit_callbacks() as callbacks:
        result = webhook_events_sweep()

    assert result.requeued == 1
    assert len(callbacks) == 1
    stuck.refresh_from_db()
    assert timezone.now() - stuck.state_changed_at < timedelta(seconds=5)  # not re-sent by the next sweep


def test_an_event_processing_past_its_lease_goes_back_to_received(
    connection, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_PROCESSING_LEASE_SECONDS = 600
    lost = _stored(connection, state=WebhookEvent.State.PROCESSING, age=timedelta(minutes=11), attempts=1, key="l")
    busy = _stored(connection, state=WebhookEvent.State.PROCESSING, age=timedelta(minutes=1), attempts=1, key="b")

    with django_capture_on_commit_callbacks() as callbacks:
        result = webhook_events_sweep()

    assert (result.requeued, result.lease_expired) == (1, 1)
    assert len(callbacks) == 1
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert lost.state == WebhookEvent.State.RECEIVED
    assert "lease" in lost.last_error
    assert busy.state == WebhookEvent.State.PROCESSING


def test_an_event_that_lost_every_attempt_is_failed_not_retried(
    connection, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    doomed = _stored(connection, state=WebhookEvent.State.PROCESSING, age=timedelta(hours=1), attempts=3)

    with django_capture_on_commit_callbacks() as callbacks:
        result = webhook_events_sweep()

    assert result.gave_up == 1
    assert callbacks == []
    doomed.refresh_from_db()
    assert doomed.state == WebhookEvent.State.FAILED


def test_done_events_are_left_alone(connection, django_capture_on_commit_callbacks):
    for state in (WebhookEvent.State.PROCESSED, WebhookEvent.State.IGNORED, WebhookEvent.State.FAILED):
        _stored(connection, state=state, age=timedelta(days=1), key=state)

    with django_capture_on_commit_callbacks() as callbacks:
        result = webhook_events_sweep()

    assert result.requeued == 0
    assert callbacks == []
