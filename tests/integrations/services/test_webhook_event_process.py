"""Processing a stored event: one worker per row, outcome recorded, paused tenants left alone."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db_connection
from django.db import connections

from integrations.models import WebhookEvent
from integrations.services.webhook_event_process import webhook_event_claim, webhook_event_process
from tests.undecryptable import secret_no_key_decrypts


def _stored(connection, **fields) -> WebhookEvent:
    defaults = {
        "event_type": "WorkFlowStatusChangeEvent",
        "customer_id": connection.customer_id,
        "payload": {"eventType": "WorkFlowStatusChangeEvent"},
        "dedupe_key": f"k{WebhookEvent.objects.count()}",
    }
    return WebhookEvent.objects.create(connection=connection, **{**defaults, **fields})


def test_only_the_first_claim_wins(connection):
    event = _stored(connection)

    assert webhook_event_claim(event_id=event.pk)
    assert not webhook_event_claim(event_id=event.pk)
    event.refresh_from_db()
    assert (event.state, event.attempts) == (WebhookEvent.State.PROCESSING, 1)


def test_a_second_delivery_of_the_same_message_does_nothing(sandbox, sandbox_stages, stored_event):
    event = stored_event()

    assert webhook_event_process(event_id=event.pk) is not None
    assert webhook_event_process(event_id=event.pk) is None
    event.refresh_from_db()
    assert event.attempts == 1


def test_a_status_change_is_marked_processed_with_its_outcome(sandbox, sandbox_stages, stored_event):
    event = stored_event()

    webhook_event_process(event_id=event.pk)

    event.refresh_from_db()
    assert event.state == WebhookEvent.State.PROCESSED
    assert "does not trigger scheduling" in event.outcome
    assert event.processed_at is not None


def test_an_event_of_a_connection_paused_after_it_was_queued_is_held_without_spending_an_attempt(
    connection, django_capture_on_commit_callbacks
):
    event = _stored(connection)
    connection.is_active = False
    connection.save()

    with django_capture_on_commit_callbacks() as enqueued:
        webhook_event_process(event_id=event.pk)

    event.refresh_from_db()
    assert (event.state, event.attempts, event.waiting_until) == (WebhookEvent.State.RECEIVED, 0, None)
    assert "paused" in event.waiting_reason and event.waiting_since is not None
    assert not enqueued  # nothing comes back on its own: the resume sends it


def test_an_undecryptable_secret_fails_the_events_attempt_with_the_reason_and_not_the_task(
    sandbox, sandbox_stages, stored_event, sandbox_connection
):
    event = stored_event()
    secret_no_key_decrypts(sandbox_connection)

    webhook_event_process(event_id=event.pk)

    event.refresh_from_db()
    assert (event.state, event.attempts) == (WebhookEvent.State.RECEIVED, 1)  # retried by the sweeper, 4 left
    assert "Cannot decrypt Connection.client_secret" in event.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_process_it_once(sandbox, sandbox_stages, stored_event):
    if db_connection.vendor != "postgresql":
        pytest.skip("needs a database that serves concurrent connections (PostgreSQL)")
    event = stored_event()
    start = threading.Barrier(8)
    wins = []

    def worker():
        start.wait()
        try:
            wins.append(webhook_event_process(event_id=event.pk) is not None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert wins.count(True) == 1
    event.refresh_from_db()
    assert (event.state, event.attempts) == (WebhookEvent.State.PROCESSED, 1)


def _statements_to_process(events) -> int:
    from django.test.utils import CaptureQueriesContext

    from integrations.services.webhook_event_process import webhook_events_process

    with CaptureQueriesContext(db_connection) as captured:
        processed = webhook_events_process(event_ids=[event.pk for event in events])
    assert len(processed) == len(events)
    return len(captured.captured_queries)


def test_a_batch_costs_the_same_statements_for_thirty_events_as_for_three(connection):
    # Events naming no workflow: each ends "failed" without an iCIMS call, as many webhooks of one kind would.
    events = [_stored(connection, payload={"eventType": "WorkFlowStatusChangeEvent", "n": n}) for n in range(34)]
    _statements_to_process(events[:1])  # the first of the hour also opens the hour's rollup row

    assert _statements_to_process(events[1:4]) == _statements_to_process(events[4:])
    assert set(WebhookEvent.objects.values_list("state", "attempts")) == {(WebhookEvent.State.FAILED, 1)}


def test_a_batch_records_each_events_own_outcome(sandbox, sandbox_stages, stored_event):
    from integrations.services.webhook_event_process import webhook_events_process

    with_workflow = stored_event()
    without_workflow = _stored(with_workflow.connection)

    webhook_events_process(event_ids=[with_workflow.pk, without_workflow.pk])

    with_workflow.refresh_from_db()
    without_workflow.refresh_from_db()
    assert (with_workflow.state, without_workflow.state) == (WebhookEvent.State.PROCESSED, WebhookEvent.State.FAILED)
    assert "does not trigger scheduling" in with_workflow.outcome
    assert "no systemId" in without_workflow.outcome
