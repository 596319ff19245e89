"""A real Celery worker (the Procfile's urgent one) on Redis and PostgreSQL: a posted status change ends as
one scheduling request, even when the worker is killed in the middle of processing it, and the worker
goes on when Redis goes away and comes back.

Skipped unless REDIS_URL is set and the database is PostgreSQL (tests/celery_workers.py). Each test
starts its own worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from types import SimpleNamespace

import pytest
import redis

from goodtime_icims.celery import app as celery_app
from integrations.models import SchedulingRequest, WebhookEvent
from integrations.services.webhook_events_sweep import webhook_events_sweep
from integrations.tasks import webhook_event_process as webhook_event_process_task
from tests.celery_workers import WAIT_SECONDS, free_port, wait_for
from tests.integrations.conftest import WORKFLOW_ID, status_change_payload

pytestmark = pytest.mark.celery_worker


def _post(client, sandbox_basic):
    return client.post(
        "/v2/ats/webhook/icims",
        json.dumps(status_change_payload()),
        content_type="application/json",
        HTTP_AUTHORIZATION=sandbox_basic,
    )


def test_a_worker_turns_a_posted_status_change_into_a_scheduling_request(
    start_worker, live_connection, client, sandbox_basic
):
    start_worker("worker-urgent", URGENT_CONCURRENCY="1")

    assert _post(client, sandbox_basic).status_code == 200

    event = wait_for(
        lambda: WebhookEvent.objects.filter(state=WebhookEvent.State.PROCESSED).first(),
        what="the event to be processed",
    )
    assert (event.attempts, SchedulingRequest.objects.get().workflow_id) == (1, WORKFLOW_ID)


def test_a_worker_killed_mid_task_leaves_the_event_for_the_sweeper_and_it_is_processed_once(
    start_worker, live_connection, served_sandbox, client, sandbox_basic, settings
):
    arrived, release = threading.Event(), threading.Event()
    handle = served_sandbox.handle

    def slow_first_workflow_read(method, url, *args, **kwargs):
        if method == "GET" and "/applicantworkflows/" in url and not arrived.is_set():
            arrived.set()
            release.wait(timeout=WAIT_SECONDS)  # the worker is killed while it waits for this answer
        return handle(method, url, *args, **kwargs)

    served_sandbox.handle = slow_first_workflow_read
    first = start_worker("worker-urgent", URGENT_CONCURRENCY="1")
    assert _post(client, sandbox_basic).status_code == 200
    assert arrived.wait(timeout=WAIT_SECONDS), "the worker never asked iCIMS for the workflow"
    os.killpg(first.process.pid, signal.SIGKILL)  # the worker and its pool child, mid-task
    first.process.wait(timeout=10)
    release.set()
    event = WebhookEvent.objects.get()
    assert (event.state, event.attempts) == (WebhookEvent.State.PROCESSING, 1)

    settings.WEBHOOK_PROCESSING_LEASE_SECONDS = 1
    time.sleep(1.1)
    start_worker("worker-urgent", URGENT_CONCURRENCY="1")
    assert webhook_events_sweep().lease_expired == 1

    event = wait_for(
        lambda: WebhookEvent.objects.filter(state=WebhookEvent.State.PROCESSED).first(),
        what="the swept event to be processed by the new worker",
    )
    assert event.attempts == 2
    assert SchedulingRequest.objects.count() == 1


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, on a free port, that the test may kill and start again."""
    port = free_port(low=9200, high=9299)
    log = open(tmp_path / "redis.log", "ab")  # noqa: SIM115 - closed below
    servers = []

    def start() -> subprocess.Popen:
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        servers.append(server)
        client = redis.Redis(port=port)
        wait_for(lambda: _answers(client), what="redis-server to answer")
        return server

    start()
    yield SimpleNamespace(url=f"redis://127.0.0.1:{port}/0", start=start, server=lambda: servers[-1])
    for server in servers:
        if server.poll() is None:
            server.kill()
            server.wait()
    log.close()


def _answers(client) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def _stored_event(connection, key: str) -> WebhookEvent:
    payload = status_change_payload()
    return WebhookEvent.objects.create(
        connection=connection,
        event_type=payload["eventType"],
        customer_id=payload["customerId"],
        system_id=payload["systemId"],
        payload=payload,
        dedupe_key=key,
    )


def test_a_worker_survives_redis_going_away_mid_task_and_coming_back(
    start_worker, live_connection, served_sandbox, own_redis
):
    arrived, release = threading.Event(), threading.Event()
    handle = served_sandbox.handle

    def slow_first_workflow_read(method, url, *args, **kwargs):
        if method == "GET" and "/applicantworkflows/" in url and not arrived.is_set():
            arrived.set()
            release.wait(timeout=WAIT_SECONDS)  # Redis is killed while the task waits for this answer
        return handle(method, url, *args, **kwargs)

    served_sandbox.handle = slow_first_workflow_read
    # The workflow read is held while Redis goes: the urgent lane's short timeout must not end it first.
    worker = start_worker(
        "worker-urgent", REDIS_URL=own_redis.url, URGENT_CONCURRENCY="1", ICIMS_URGENT_READ_TIMEOUT="30"
    )
    worker.wait_ready()

    def publish(event: WebhookEvent) -> None:
        with celery_app.connection_for_write(own_redis.url) as broker:
            webhook_event_process_task.apply_async((event.pk,), connection=broker)

    first = _stored_event(live_connection, "before-the-outage")
    publish(first)
    assert arrived.wait(timeout=WAIT_SECONDS), "the worker never asked iCIMS for the workflow"
    own_redis.server().kill()
    own_redis.server().wait()
    release.set()
    wait_for(lambda: "Connection to broker lost" in worker.log, what="the worker to notice the outage")
    time.sleep(2)  # a few reconnection attempts against nothing
    own_redis.start()

    second = _stored_event(live_connection, "after-the-outage")
    publish(second)

    wait_for(
        lambda: WebhookEvent.objects.filter(pk=second.pk, state=WebhookEvent.State.PROCESSED).exists(),
        what="the worker to process a task after Redis came back",
        seconds=60,
    )
    assert worker.process.poll() is None, worker.log[-3000:]
    assert "Restoring 1 unacknowledged message(s)" in worker.log  # the moment the crash used to follow
    assert "Unrecoverable error" not in worker.log
    # The task in flight lost Redis too (its shared state): back to "received" for the sweeper, not lost.
    # Its restored message may run again after the second event's: wait until that run has settled too.
    wait_for(
        lambda: not WebhookEvent.objects.filter(pk=first.pk, state=WebhookEvent.State.PROCESSING).exists(),
        what="the event in flight during the outage to settle",
        seconds=60,
    )
    first.refresh_from_db()
    assert first.state == WebhookEvent.State.PROCESSED or (
        first.state == WebhookEvent.State.RECEIVED and "ConnectionError" in first.last_error
    )
