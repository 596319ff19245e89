"""The whole path: iCIMS posts a status change, a worker reads the workflow, a scheduling request exists."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from integrations.models import Connection, SchedulingRequest, WebhookEvent
from integrations.sandbox.webhooks import WebhookTarget, delivery_request, status_change_event
from tests.integrations.conftest import NOT_A_TRIGGER, TRIGGER, WEBHOOK_PATH, WORKFLOW_ID, status_change_payload


@pytest.fixture
def at_trigger(sandbox):
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)


@pytest.fixture
def deliver(post_status_change, tasks_run_inline, django_capture_on_commit_callbacks):
    """Post an event and let the worker run, as after a real commit."""

    def post(payload, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post_status_change(payload, **kwargs)

    return post


def test_a_trigger_status_change_becomes_a_scheduling_request(sandbox_stages, at_trigger, deliver):
    response = deliver(status_change_payload())

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.state, event.attempts) == (WebhookEvent.State.PROCESSED, 1)
    request = SchedulingRequest.objects.get()
    assert (request.workflow_id, request.state) == (WORKFLOW_ID, "pending")
    assert request.trigger_stage == sandbox_stages["trigger"]


def test_the_gzipped_event_the_sandbox_sends_becomes_a_scheduling_request(
    sandbox_stages, sandbox, at_trigger, client, tasks_run_inline, django_capture_on_commit_callbacks
):
    workflow = sandbox.workflows[int(WORKFLOW_ID)]
    event = status_change_event(
        customer_id="1000",
        customer_url=f"{sandbox.base_url}/customers/1000",
        workflow_id=workflow.id,
        person_id=workflow.person,
        job_id=workflow.job,
        user_id=1,
        old_status=NOT_A_TRIGGER,
        new_status=TRIGGER,
        numeric_status_ids=True,
    )
    body, headers = delivery_request(
        WebhookTarget(url=f"http://testserver{WEBHOOK_PATH}"), event, now=datetime.now(UTC)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic(
            "POST",
            WEBHOOK_PATH,
            body,
            content_type="application/json",
            HTTP_CONTENT_ENCODING="gzip",
            HTTP_AUTHORIZATION=headers["Authorization"],
            HTTP_LINK=headers["Link"],
        )

    assert response.status_code == 200
    assert SchedulingRequest.objects.get().candidate_id == str(workflow.person)


def test_a_duplicate_notification_leaves_one_request(sandbox_stages, at_trigger, deliver):
    first = deliver(status_change_payload())
    second = deliver(status_change_payload())
    later_copy = deliver(status_change_payload(userId="9060"))  # the same move, notified again differently

    assert json.loads(second.content)["status"] == "duplicate"
    assert first.status_code == later_copy.status_code == 200
    assert WebhookEvent.objects.count() == 2
    assert SchedulingRequest.objects.count() == 1


def test_shadow_mode_changes_nothing_in_iCIMS_or_here(
    sandbox_stages, at_trigger, deliver, sandbox_connection, sandbox_calls
):
    sandbox_connection.trigger_mode = Connection.TriggerMode.SHADOW
    sandbox_connection.auto_advance_enabled = True
    sandbox_connection.save()

    deliver(status_change_payload())

    assert not SchedulingRequest.objects.exists()
    assert {method for method, path in sandbox_calls if not path.startswith("/oauth/")} == {"GET"}
    assert WebhookEvent.objects.get().outcome.startswith("Shadow mode: would have started a scheduling request")


def test_with_triggers_off_nothing_starts(sandbox_stages, at_trigger, deliver, sandbox_connection):
    sandbox_connection.trigger_mode = Connection.TriggerMode.OFF
    sandbox_connection.save()

    deliver(status_change_payload())

    assert WebhookEvent.objects.get().state == WebhookEvent.State.IGNORED
    assert not SchedulingRequest.objects.exists()


def test_an_event_naming_another_tenants_customer_is_refused_and_nothing_is_stored(
    sandbox_stages, at_trigger, deliver, connection
):
    response = deliver(status_change_payload(customer_id=connection.customer_id))

    assert response.status_code == 403
    assert not WebhookEvent.objects.exists()
    assert not SchedulingRequest.objects.filter(connection=connection).exists()
