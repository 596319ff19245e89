"""The urgent lane: a tenant whose iCIMS hangs costs an urgent slot one short timeout, then its events go to the
sync workers with the full timeouts, attempts intact; a tenant never holds more than its share of urgent slots."""

from __future__ import annotations

import time

import pytest

from integrations.models import Connection, WebhookEvent
from integrations.services.task_queue import WEBHOOK_EVENT_PROCESS, WEBHOOK_EVENT_PROCESS_PATIENT
from integrations.services.urgent_lane import BUSY_REASON, SLOW_REASON, tenant_is_slow, urgent_lane
from integrations.services.webhook_event_process import webhook_event_process, webhook_events_process
from tests.integrations.conftest import status_change_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent_connection(silent_host):
    return Connection.objects.create(
        name="Silent tenant",
        customer_id="7700",
        api_url_override=silent_host.url,
        token_url_override=f"{silent_host.url}/oauth/token",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="silent-client",
        client_secret="silent-secret",
    )


def _event(connection: Connection) -> WebhookEvent:
    payload = status_change_payload(customer_id=connection.customer_id)
    return WebhookEvent.objects.create(
        connection=connection,
        event_type=payload["eventType"],
        customer_id=connection.customer_id,
        system_id=payload["systemId"],
        payload=payload,
        dedupe_key=f"lane-{WebhookEvent.objects.count()}",
    )


@pytest.fixture
def sent_tasks(monkeypatch):
    """The tasks the service sends (name, args, countdown), instead of a broker."""
    sent: list[tuple[str, tuple, float | None]] = []
    monkeypatch.setattr(
        "integrations.services.webhook_event_process.task_enqueue",
        lambda *, name, args, countdown=None: sent.append((name, args, countdown)),
    )
    return sent


def test_a_hanging_tenant_costs_one_short_timeout_then_its_events_go_to_the_sync_workers_attempts_intact(
    silent_connection, silent_host, sent_tasks, settings, django_capture_on_commit_callbacks
):
    settings.ICIMS_URGENT_CONNECT_TIMEOUT, settings.ICIMS_URGENT_READ_TIMEOUT = 1.0, 0.5
    first, second = _event(silent_connection), _event(silent_connection)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_process(event_id=first.pk)
    took = time.monotonic() - started

    first.refresh_from_db()
    assert took < 3  # one short read timeout, not ICIMS_READ_TIMEOUT
    assert (first.state, first.attempts, first.waiting_reason) == (WebhookEvent.State.RECEIVED, 0, SLOW_REASON)
    assert first.waiting_until is not None  # the sweeper leaves it to the sync worker's message meanwhile
    assert sent_tasks == [(WEBHOOK_EVENT_PROCESS_PATIENT, (first.pk,), None)]
    assert tenant_is_slow(connection=silent_connection)

    calls_before = len(silent_host.held)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_process(event_id=second.pk)
    second.refresh_from_db()
    assert (second.state, second.attempts) == (WebhookEvent.State.RECEIVED, 0)
    assert sent_tasks[-1] == (WEBHOOK_EVENT_PROCESS_PATIENT, (second.pk,), None)
    assert len(silent_host.held) == calls_before  # handed over at once, without trying the host again


def test_in_a_batch_the_first_short_timeout_hands_the_rest_of_the_tenants_batch_over_without_another_call(
    silent_connection, silent_host, sent_tasks, settings, django_capture_on_commit_callbacks
):
    settings.ICIMS_URGENT_CONNECT_TIMEOUT, settings.ICIMS_URGENT_READ_TIMEOUT = 1.0, 0.5
    batch = [_event(silent_connection) for _ in range(3)]

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_events_process(event_ids=[event.pk for event in batch])
    took = time.monotonic() - started

    assert took < 3
    assert len(silent_host.held) == 1  # one call tried the host; the other events were handed over without one
    for event in batch:
        event.refresh_from_db()
        assert (event.state, event.attempts, event.waiting_reason) == (WebhookEvent.State.RECEIVED, 0, SLOW_REASON)
    assert sorted(sent_tasks) == sorted((WEBHOOK_EVENT_PROCESS_PATIENT, (event.pk,), None) for event in batch)


def test_on_the_patient_path_the_full_timeout_running_out_is_a_real_failure(
    silent_connection, sent_tasks, settings, django_capture_on_commit_callbacks
):
    settings.ICIMS_CONNECT_TIMEOUT, settings.ICIMS_READ_TIMEOUT = 1.0, 0.5
    event = _event(silent_connection)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_process(event_id=event.pk, patient=True)

    event.refresh_from_db()
    assert (event.state, event.attempts) == (WebhookEvent.State.RECEIVED, 1)  # the sweeper retries it
    assert "IcimsTimeout" in event.last_error
    assert sent_tasks == []


def test_over_the_tenants_share_of_urgent_slots_an_event_comes_back_in_a_moment_attempts_intact(
    connection, sent_tasks, settings, django_capture_on_commit_callbacks
):
    settings.URGENT_TENANT_CONCURRENCY = 2
    event = _event(connection)

    running = urgent_lane(connection=connection), urgent_lane(connection=connection)  # two events of it
    with running[0], running[1], django_capture_on_commit_callbacks(execute=True):
        webhook_event_process(event_id=event.pk)

    event.refresh_from_db()
    assert (event.state, event.attempts, event.waiting_reason) == (WebhookEvent.State.RECEIVED, 0, BUSY_REASON)
    retry = pytest.approx(settings.URGENT_TENANT_BUSY_RETRY_SECONDS, abs=0.5)
    assert sent_tasks == [(WEBHOOK_EVENT_PROCESS, (event.pk,), retry)]

    # the places come back when the work holding them ends
    with urgent_lane(connection=connection), urgent_lane(connection=connection):
        pass
