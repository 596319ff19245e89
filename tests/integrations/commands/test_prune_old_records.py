"""`manage.py prune_old_records`: retention now, with progress, for a first pass over a long history."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from integrations.models import WebhookEvent
from tests.integrations.stored_events import stored_webhook_event


def _old_event(connection, key: str, days: int) -> None:
    at = timezone.now() - timedelta(days=days)
    stored_webhook_event(connection, key=key, state=WebhookEvent.State.PROCESSED, received_at=at, state_changed_at=at)


def test_it_deletes_what_ended_before_the_window_and_says_how_far_it_got(connection, settings):
    settings.RETENTION_BATCH_SIZE = 2
    for number in range(3):
        _old_event(connection, f"old-{number}", days=40)
    _old_event(connection, "recent", days=5)
    out = io.StringIO()

    call_command("prune_old_records", "--days", "30", stdout=out)

    assert "  webhook events: 2 deleted so far\n  webhook events: 3 deleted so far\n" in out.getvalue()
    assert "Deleted what ended more than 30 days ago: 3 webhook events, 0 sync runs," in out.getvalue()
    assert list(WebhookEvent.objects.values_list("dedupe_key", flat=True)) == ["recent"]


def test_with_retention_off_it_refuses_and_deletes_nothing(connection, settings):
    settings.RETENTION_DAYS = 0
    _old_event(connection, "old", days=400)

    with pytest.raises(CommandError, match="Retention is off"):
        call_command("prune_old_records", stdout=io.StringIO())
    assert WebhookEvent.objects.count() == 1
