"""Handing new events to the urgent queue: each new event once, to one listener, and none twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection as db_connection

from integrations.models import WebhookEvent
from integrations.services.webhook_events_queue_new import webhook_events_queue_new
from tests.integrations.conftest import status_change_payload


def _stored(connection, number: int, **fields) -> WebhookEvent:
    """A status change naming no workflow: its processing ends without calling iCIMS."""
    payload = {**status_change_payload(), "personId": str(number)}
    del payload["systemId"]
    return WebhookEvent.objects.create(
        connection=connection,
        event_type=payload["eventType"],
        customer_id=payload["customerId"],
        payload=payload,
        dedupe_key=f"key-{number}",
        **fields,
    )


def test_new_events_are_handed_on_once_oldest_first_and_processed(connection, tasks_run_inline):
    first, second = _stored(connection, 1), _stored(connection, 2)

    assert webhook_events_queue_new(limit=10) == [first.pk, second.pk]
    assert webhook_events_queue_new(limit=10) == []
    for event in (first, second):
        event.refresh_from_db()
        assert event.queued_at is not None
        assert (event.state, event.attempts) == (WebhookEvent.State.FAILED, 1)  # a worker (here in process) had it
        assert "no systemId" in event.outcome


def test_a_batch_takes_at_most_the_limit_and_the_next_call_takes_the_rest(connection):
    events = [_stored(connection, number) for number in range(5)]

    assert webhook_events_queue_new(limit=3) == [event.pk for event in events[:3]]
    assert webhook_events_queue_new(limit=3) == [event.pk for event in events[3:]]


def test_ignored_retried_and_replayed_events_are_not_the_listeners(connection):
    from django.utils import timezone

    _stored(connection, 1, state=WebhookEvent.State.IGNORED)
    _stored(connection, 2, state=WebhookEvent.State.RECEIVED, queued_at=timezone.now())  # back for a retry
    _stored(connection, 3, state=WebhookEvent.State.PROCESSED)

    assert webhook_events_queue_new(limit=10) == []


def test_an_event_whose_send_fails_is_left_for_the_next_drain(connection, monkeypatch):
    event = _stored(connection, 1)

    def broker_down(*, name, args, countdown=None):
        raise ConnectionError("broker unavailable")

    monkeypatch.setattr("integrations.services.webhook_events_queue_new.task_enqueue", broker_down)
    with pytest.raises(ConnectionError):
        webhook_events_queue_new(limit=10)
    event.refresh_from_db()
    assert event.queued_at is None

    monkeypatch.undo()
    assert webhook_events_queue_new(limit=10) == [event.pk]


@pytest.mark.postgres
def test_two_listeners_at_once_never_hand_on_the_same_event(transactional_db, connection):
    if db_connection.vendor != "postgresql":
        pytest.skip("concurrent listeners need PostgreSQL")
    events = {_stored(connection, number).pk for number in range(300)}
    handed_on: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def listen(slot: int) -> None:
        start.wait()
        try:
            while batch := webhook_events_queue_new(limit=7):
                handed_on[slot].extend(batch)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=listen, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not set(handed_on[0]) & set(handed_on[1])
    assert set(handed_on[0]) | set(handed_on[1]) == events
    assert len(handed_on[0]) + len(handed_on[1]) == len(events)


def test_new_events_travel_in_batches_of_one_connection_each(connection, monkeypatch, settings):
    from integrations.models import Connection

    settings.WEBHOOK_PROCESS_BATCH_SIZE = 2
    other = Connection.objects.create(name="Globex", customer_id="3100")
    acme = [_stored(connection, number) for number in range(3)]
    globex = [_stored(other, number) for number in range(10, 12)]
    sent: list[list[int]] = []
    monkeypatch.setattr(
        "integrations.services.webhook_events_queue_new.task_enqueue",
        lambda *, name, args, countdown=None: sent.append(args[0]),
    )

    webhook_events_queue_new(limit=10)

    assert sorted(sent) == sorted([[acme[0].pk, acme[1].pk], [acme[2].pk], [globex[0].pk, globex[1].pk]])
