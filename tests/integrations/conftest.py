"""Fixtures for the integrations tests: iCIMS over HTTP (each test says which calls it expects), the
sandbox connection's stages, a candidate's workflow, and status-change events."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import responses
from django.utils import timezone

from goodtime_icims.celery import app as celery_app
from integrations.models import SchedulingRequest, Stage, WebhookEvent
from tests.fixtures.icims import icims_fixture

from .icims.support import TOKEN_URL

WEBHOOK_PATH = "/v2/ats/webhook/icims"
WEBHOOK_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "icims" / "webhooks"
# Sandbox workflow 10002: candidate 268 (folder Cand:Active) applied to job 1024, now at C51211.
WORKFLOW_ID, CANDIDATE_ID, JOB_ID = "10002", "268", "1024"
TRIGGER, SCHEDULED, SECOND_TRIGGER, NOT_A_TRIGGER = "C51218", "C51219", "C51220", "C51211"


@pytest.fixture
def sandbox_stages(sandbox_connection):
    """The sandbox's interview statuses as stages: First Interview - Schedule triggers and advances."""

    def stage(status_id, status, position, **fields):
        return Stage.objects.create(
            connection=sandbox_connection,
            bin="Interview",
            status=status,
            status_id=status_id,
            position=position,
            **fields,
        )

    scheduled = stage(SCHEDULED, "First Interview - Scheduled", 2)
    return {
        "screen": stage(NOT_A_TRIGGER, "Recruiter Phone Screen", 0),
        "trigger": stage(TRIGGER, "First Interview - Schedule", 1, triggers_scheduling=True, advance_to=scheduled),
        "scheduled": scheduled,
        "second": stage(SECOND_TRIGGER, "Second Interview - Schedule", 3, triggers_scheduling=True),
    }


@pytest.fixture
def sandbox_calls(sandbox, monkeypatch):
    """Every (method, path) the sandbox answered, in order: to prove what did or did not reach iCIMS."""
    calls = []
    handle = sandbox.handle

    def recording_handle(method, url, *args, **kwargs):
        calls.append((method.upper(), url.split("?")[0].removeprefix(sandbox.base_url)))
        return handle(method, url, *args, **kwargs)

    monkeypatch.setattr(sandbox, "handle", recording_handle)
    return calls


def status_change_payload(
    *, customer_id: str = "1000", workflow_id: str = WORKFLOW_ID, new_status: str = TRIGGER, **overrides
) -> dict:
    """The recorded WorkFlowStatusChangeEvent, naming the sandbox's workflow."""
    payload = json.loads((WEBHOOK_FIXTURES / "WorkFlowStatusChangeEvent.json").read_text())
    payload.update(
        {
            "customerId": customer_id,
            "systemId": workflow_id,
            "personId": CANDIDATE_ID,
            "jobId": JOB_ID,
            "oldStatus": NOT_A_TRIGGER,
            "newStatus": new_status,
            **overrides,
        }
    )
    return payload


@pytest.fixture
def stored_event(sandbox_connection):
    """A status-change event stored for the sandbox connection, as the endpoint would store it."""

    def store(**payload_overrides) -> WebhookEvent:
        payload = status_change_payload(**payload_overrides)
        return WebhookEvent.objects.create(
            connection=sandbox_connection,
            event_type=payload["eventType"],
            customer_id=payload["customerId"],
            system_id=payload["systemId"],
            person_id=payload["personId"],
            job_id=payload["jobId"],
            old_status=payload["oldStatus"],
            new_status=payload["newStatus"],
            payload=payload,
            dedupe_key=f"test-{WebhookEvent.objects.count()}",
            received_at=timezone.now(),
        )

    return store


@pytest.fixture
def sandbox_basic():
    return "Basic " + base64.b64encode(b"icims-sandbox:sandbox-webhook-password").decode()


@pytest.fixture
def post_status_change(client, sandbox_basic):
    def post(payload: dict, *, authorization: str | None = None):
        return client.post(
            WEBHOOK_PATH,
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=authorization or sandbox_basic,
        )

    return post


@pytest.fixture
def tasks_run_inline():
    """Tasks run in-process when enqueued, as a worker would run them."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def icims():
    """Unexpected calls fail, and so does an expected call that never came."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def token_endpoint(icims):
    return icims.post(TOKEN_URL, json=icims_fixture("token"))


@pytest.fixture
def pending(sandbox_connection, sandbox_stages):
    """A scheduling request of the sandbox tenant, waiting for the platform."""
    return SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=WORKFLOW_ID,
        candidate_id=CANDIDATE_ID,
        job_id=JOB_ID,
        trigger_stage=sandbox_stages["trigger"],
    )


@pytest.fixture
def features_on(sandbox_connection):
    sandbox_connection.interview_sync_enabled = True
    sandbox_connection.feedback_enabled = True
    sandbox_connection.save()
    return sandbox_connection
