"""A real Celery worker on Redis and PostgreSQL: a posted status change ends as one scheduling request,
even when the worker is killed in the middle of processing it.

Skipped unless REDIS_URL is set and the database is PostgreSQL (the worker is another process: it
needs a broker and a database both processes can reach). Each test starts its own worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection as db_connection

from integrations.models import Connection, SchedulingRequest, Stage, WebhookEvent
from integrations.sandbox import SandboxTenant
from integrations.sandbox.wsgi import serve_in_thread
from integrations.services.webhook_events_sweep import webhook_events_sweep
from tests.integrations.conftest import TRIGGER, WORKFLOW_ID, status_change_payload

pytestmark = pytest.mark.celery_worker

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30
# Kombu's Redis keys for the default queue: emptied so a message left by an earlier run is not picked up.
BROKER_KEYS = ("celery", "unacked", "unacked_index")


@pytest.fixture
def worker_environment(transactional_db):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("a real worker needs a broker: set REDIS_URL")
    if db_connection.vendor != "postgresql":
        pytest.skip("a real worker is another process: it needs PostgreSQL, not the test's SQLite database")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(*BROKER_KEYS)
    database = settings.DATABASES["default"]
    credentials = quote(database["USER"] or "") + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
    yield {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
        f"{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ICIMS_READ_TIMEOUT": "10",
    }
    broker.delete(*BROKER_KEYS)


@pytest.fixture
def start_worker(worker_environment, tmp_path):
    workers = []

    def start() -> subprocess.Popen:
        log = open(tmp_path / f"worker-{len(workers)}.log", "wb")  # noqa: SIM115 - closed with the worker
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "goodtime_icims",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{len(workers)}@%h",
            ],
            cwd=ROOT,
            env=worker_environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append((worker, log))
        return worker

    yield start
    for worker, log in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        log.close()


@pytest.fixture
def served_sandbox():
    tenant = SandboxTenant.seeded(candidates=300, users=20, jobs=40, workflows=400, seed=7)
    tenant.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    server = serve_in_thread(tenant)
    yield tenant
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_connection(served_sandbox):
    connection = Connection.objects.create(
        name="Sandbox over HTTP",
        customer_id="1000",
        stream_id="sandbox-stream",
        api_url_override=served_sandbox.base_url,
        token_url_override=f"{served_sandbox.base_url}/oauth/token",
        stream_url_override=f"{served_sandbox.base_url}/datastream/v2",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        webhook_username="icims-sandbox",
        webhook_password="sandbox-webhook-password",
    )
    Stage.objects.create(
        connection=connection,
        bin="Interview",
        status="First Interview - Schedule",
        status_id=TRIGGER,
        triggers_scheduling=True,
    )
    return connection


def _wait_for(condition, *, what: str, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"Gave up after {seconds}s waiting for {what}")


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
    start_worker()

    assert _post(client, sandbox_basic).status_code == 200

    event = _wait_for(
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
    first = start_worker()
    assert _post(client, sandbox_basic).status_code == 200
    assert arrived.wait(timeout=WAIT_SECONDS), "the worker never asked iCIMS for the workflow"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    release.set()
    event = WebhookEvent.objects.get()
    assert (event.state, event.attempts) == (WebhookEvent.State.PROCESSING, 1)

    settings.WEBHOOK_PROCESSING_LEASE_SECONDS = 1
    time.sleep(1.1)
    start_worker()
    assert webhook_events_sweep().lease_expired == 1

    event = _wait_for(
        lambda: WebhookEvent.objects.filter(state=WebhookEvent.State.PROCESSED).first(),
        what="the swept event to be processed by the new worker",
    )
    assert event.attempts == 2
    assert SchedulingRequest.objects.count() == 1
