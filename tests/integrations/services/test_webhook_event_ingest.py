"""Storing an authenticated event: once, walled to its tenant, one write and no broker round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import transaction

from integrations.models import Connection, WebhookEvent
from integrations.services.webhook_event_ingest import (
    WebhookEventRefused,
    headers_redact,
    payload_canonical_json,
    webhook_event_dedupe_key,
    webhook_event_ingest,
)
from integrations.webhooks.request_body import event_parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "icims" / "webhooks"
AT = datetime(2026, 11, 26, 18, 0, 10, tzinfo=UTC)


def _event(event_type="WorkFlowStatusChangeEvent", **changes):
    payload = {**json.loads((FIXTURES / f"{event_type}.json").read_text()), **changes}
    return event_parse(body=json.dumps(payload).encode())


def test_an_event_to_process_is_stored_for_the_listener_and_nothing_is_sent(
    connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)

    assert result.created
    stored = WebhookEvent.objects.get(pk=result.event_id)
    assert (stored.state, stored.queued_at) == (WebhookEvent.State.RECEIVED, None)  # what the listener looks for
    assert callbacks == []


def test_with_tasks_in_process_an_event_is_processed_after_commit(
    connection, tasks_run_inline, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)

    assert len(callbacks) == 1


def test_an_ignored_event_is_stored_but_never_enqueued(connection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        result = webhook_event_ingest(
            connection=connection, event=_event("JobPostToWebEvent"), headers={}, received_at=AT
        )

    assert result.state == WebhookEvent.State.IGNORED
    assert callbacks == []


def test_a_duplicate_is_neither_stored_nor_enqueued_again(connection, django_capture_on_commit_callbacks):
    first = webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)
    with django_capture_on_commit_callbacks() as callbacks:
        again = webhook_event_ingest(
            connection=connection, event=_event(), headers={}, received_at=AT + timedelta(seconds=30)
        )

    assert not again.created
    assert again.event_id == first.event_id
    assert callbacks == []
    assert WebhookEvent.objects.count() == 1


def test_the_same_move_in_a_later_window_is_a_new_event(connection, settings):
    settings.WEBHOOK_DEDUPE_WINDOW_SECONDS = 300
    webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)
    later = webhook_event_ingest(
        connection=connection, event=_event(), headers={}, received_at=AT + timedelta(minutes=10)
    )

    assert later.created
    assert WebhookEvent.objects.count() == 2


def test_the_dedupe_key_ignores_key_order_but_not_values():
    payload = {"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187", "systemId": "1"}
    reordered = dict(reversed(list(payload.items())))

    def key(payload):
        return webhook_event_dedupe_key(payload_json=payload_canonical_json(payload), received_at=AT)

    assert key(payload) == key(reordered)
    assert key(payload) != key({**payload, "systemId": "2"})


def test_two_tenants_may_send_the_same_event_body(connection):
    other = Connection.objects.create(name="Other", customer_id="9999")
    webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)
    webhook_event_ingest(connection=other, event=_event(customerId="9999"), headers={}, received_at=AT)

    assert WebhookEvent.objects.count() == 2


def test_an_event_for_another_customer_is_refused_and_stores_nothing(connection):
    Connection.objects.create(name="Other", customer_id="9999")

    with pytest.raises(WebhookEventRefused):
        webhook_event_ingest(connection=connection, event=_event(customerId="9999"), headers={}, received_at=AT)

    assert WebhookEvent.objects.count() == 0


def test_first_seen_keeps_the_earliest_time(connection):
    webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)
    stale_copy = Connection.objects.get(pk=connection.pk)
    stale_copy.webhook_first_seen_at = None  # as a concurrent request that loaded the row before the tick
    webhook_event_ingest(
        connection=stale_copy, event=_event(systemId="2"), headers={}, received_at=AT + timedelta(hours=1)
    )

    connection.refresh_from_db()
    assert connection.webhook_first_seen_at == AT


@pytest.mark.parametrize(
    "name", ["Authorization", "Proxy-Authorization", "Cookie", "X-Icims-Signature", "X-Api-Key", "X-Auth-Token"]
)
def test_secret_headers_are_redacted(name):
    assert headers_redact(headers={name: "s3cret", "User-Agent": "Apache-HttpClient"}) == {
        name: "[redacted]",
        "User-Agent": "Apache-HttpClient",
    }


def test_a_duplicate_inside_the_callers_transaction_leaves_it_usable(connection):
    with transaction.atomic():
        first = webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)
        again = webhook_event_ingest(connection=connection, event=_event(), headers={}, received_at=AT)
        stored_after = WebhookEvent.objects.count()  # would raise if the duplicate had broken the transaction

    assert again.event_id == first.event_id
    assert stored_after == 1
