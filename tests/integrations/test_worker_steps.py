"""The urgent worker's webhook listener, with real workers (the Procfile's command) on PostgreSQL and Redis:
an event stored while no worker runs is processed when one starts, and two workers never process one event
twice.

Skipped unless REDIS_URL is set and the database is PostgreSQL (tests/celery_workers.py).
"""

from __future__ import annotations

import json
import time

import pytest

from integrations.models import SchedulingRequest, WebhookEvent
from tests.celery_workers import wait_for
from tests.integrations.conftest import WORKFLOW_ID, status_change_payload

pytestmark = pytest.mark.celery_worker


def _post(client, sandbox_basic, payload: dict):
    return client.post(
        "/v2/ats/webhook/icims", json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=sandbox_basic
    )


def test_an_event_stored_while_no_worker_runs_is_processed_when_one_starts(
    start_worker, live_connection, client, sandbox_basic
):
    assert _post(client, sandbox_basic, status_change_payload()).status_code == 200
    time.sleep(1)
    assert WebhookEvent.objects.get().state == WebhookEvent.State.RECEIVED  # nobody to find it yet

    start_worker("worker-urgent", URGENT_CONCURRENCY="1")

    event = wait_for(
        lambda: WebhookEvent.objects.filter(state=WebhookEvent.State.PROCESSED).first(),
        what="the stored event to be processed by the new worker",
    )
    assert event.attempts == 1
    assert SchedulingRequest.objects.get().workflow_id == WORKFLOW_ID


def test_two_workers_never_process_one_event_twice(start_worker, live_connection, client, sandbox_basic):
    start_worker("worker-urgent", URGENT_CONCURRENCY="2")
    start_worker("worker-urgent", URGENT_CONCURRENCY="2")
    base = status_change_payload()
    count = 60
    for number in range(count):
        # Events naming no workflow: each ends "failed" at its first attempt, without an iCIMS call.
        payload = {key: value for key, value in base.items() if key != "systemId"} | {"personId": str(number)}
        assert _post(client, sandbox_basic, payload).status_code == 200

    wait_for(
        lambda: (
            not WebhookEvent.objects.filter(
                state__in=[WebhookEvent.State.RECEIVED, WebhookEvent.State.PROCESSING]
            ).exists()
        ),
        what="both workers to finish every event",
    )
    events = WebhookEvent.objects.all()
    assert events.count() == count
    assert {(event.state, event.attempts) for event in events} == {(WebhookEvent.State.FAILED, 1)}
