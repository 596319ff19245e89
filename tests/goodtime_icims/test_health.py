"""Load balancers and orchestrators probe /health/ (readiness) and /health/live/ (liveness)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import WebhookEvent
from integrations.services.process_heartbeat_record import (
    BEAT_HEARTBEAT,
    heartbeat_queues,
    process_heartbeat_record,
    worker_heartbeat_name,
)

READY_CHECKS = {
    "Database(alias='default')",
    "Cache(alias='default')",
    "Broker()",
    "WorkerHeartbeat()",
    "BeatHeartbeat()",
    "WebhookBacklog()",
}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def alive(db):
    """Beat and a worker on every queue left their heartbeat a moment ago."""
    process_heartbeat_record(name=BEAT_HEARTBEAT)
    for queue in heartbeat_queues():
        process_heartbeat_record(name=worker_heartbeat_name(queue))


def _ready(client):
    return client.get("/health/", HTTP_ACCEPT="application/json")


def test_readiness_answers_200_when_every_check_passes(client, alive):
    response = _ready(client)

    assert response.status_code == 200
    assert response.json() == dict.fromkeys(READY_CHECKS, "OK")


def test_a_dead_broker_answers_503_and_is_named(client, alive, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = _ready(client)

    assert response.status_code == 503
    body = response.json()
    assert body["Broker()"] == "Unavailable: broker unreachable (OperationalError)"
    assert str(_closed_port) not in response.content.decode()  # no URL, host or port is shown
    assert "127.0.0.1" not in response.content.decode()
    assert body["Database(alias='default')"] == "OK"


def test_readiness_fails_when_the_cache_is_down(client, alive, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = _ready(client)
    assert response.status_code == 503
    assert response.json()["Database(alias='default')"] == "OK"
    assert response.json()["Cache(alias='default')"] != "OK"


def test_no_worker_heartbeat_yet_fails_naming_the_queue(client, db):
    process_heartbeat_record(name=BEAT_HEARTBEAT)

    response = _ready(client)

    assert response.status_code == 503
    assert (
        response.json()["WorkerHeartbeat()"]
        == f"Unavailable: no worker heartbeat yet from queue {heartbeat_queues()[0]}"
    )
    assert response.json()["BeatHeartbeat()"] == "OK"


def test_a_stale_beat_heartbeat_fails_with_its_age(client, alive):
    process_heartbeat_record(name=BEAT_HEARTBEAT, at=timezone.now() - timedelta(minutes=7))

    response = _ready(client)

    assert response.status_code == 503
    assert response.json()["BeatHeartbeat()"] == "Unavailable: last beat heartbeat was 7 min ago"


def _event_received(connection, *, ago: timedelta, **fields) -> WebhookEvent:
    return WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        payload={},
        dedupe_key="old",
        received_at=timezone.now() - ago,
        **fields,
    )


def test_a_webhook_event_waiting_too_long_fails_readiness(client, alive, connection):
    _event_received(connection, ago=timedelta(minutes=30))

    response = _ready(client)

    assert response.status_code == 503
    assert response.json()["WebhookBacklog()"] == "Unavailable: oldest unprocessed webhook event has waited 30 min"


def test_a_processed_old_webhook_event_does_not_count(client, alive, connection):
    _event_received(connection, ago=timedelta(days=3), state=WebhookEvent.State.PROCESSED)

    assert _ready(client).status_code == 200


def test_liveness_answers_without_consulting_anything(client):
    response = client.get("/health/live/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200


def test_health_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/live/", HTTP_ACCEPT="application/json").status_code == 200


def test_the_api_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content
