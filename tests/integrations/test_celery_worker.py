"""A real Celery worker (the Procfile's urgent one) on Redis and PostgreSQL: a posted status change ends as
one scheduling request, even when the worker is killed in the middle of processing it.

Skipped unless REDIS_URL is set and the database is PostgreSQL (tests/celery_workers.py). Each test
starts its own worker.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from integrations.models import SchedulingRequest, WebhookEvent
from integrations.services.webhook_events_sweep import webhook_events_sweep
from tests.celery_workers import WAIT_SECONDS, wait_for
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
