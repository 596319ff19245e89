"""Which changes the scheduling platform is told about, with what, and that an event is stored in the
transaction of its change (a rolled-back change announces nothing)."""

from __future__ import annotations

import pytest
from django.db import transaction

from integrations.models import ConnectionHealth, PlatformWebhookMessage, SchedulingRequest, Writeback
from integrations.services.platform_webhook_endpoints import platform_webhook_endpoint_add
from integrations.services.scheduling_request_open import scheduling_request_open
from integrations.services.scheduling_request_state import scheduling_request_cancel, scheduling_request_mark_scheduled
from integrations.services.webhook_event_process import webhook_event_process
from integrations.services.writeback_send import writeback_send
from integrations.services.writebacks_due_sweep import writebacks_due_sweep
from tests.integrations.conftest import NOT_A_TRIGGER, SECOND_TRIGGER, TRIGGER, WORKFLOW_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(db):
    """An endpoint for every event (on a public address: nothing is sent, these tests read the outbox)."""
    return platform_webhook_endpoint_add(url="https://93.184.215.14/hooks").endpoint


@pytest.fixture
def at_trigger(sandbox):
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)


def _events() -> list[tuple[str, dict]]:
    return [(m.event_type, m.payload["data"]) for m in PlatformWebhookMessage.objects.order_by("pk")]


def _types() -> list[str]:
    return [event_type for event_type, _ in _events()]


def test_a_new_request_a_next_round_and_a_reopening_are_announced(
    subscribed, sandbox_stages, at_trigger, stored_event, sandbox
):
    webhook_event_process(event_id=stored_event().pk)
    webhook_event_process(event_id=stored_event().pk)  # the same move notified again: nothing new
    sandbox.change_status(int(WORKFLOW_ID), SECOND_TRIGGER, notify=False)
    webhook_event_process(event_id=stored_event(newStatus=SECOND_TRIGGER).pk)
    scheduling_request_cancel(scheduling_request=SchedulingRequest.objects.get())
    webhook_event_process(event_id=stored_event(newStatus=SECOND_TRIGGER).pk)

    request = SchedulingRequest.objects.get()
    assert [(t, d.get("change"), d["state"]) for t, d in _events()] == [
        ("scheduling_request.created", None, "pending"),
        ("scheduling_request.updated", "stage", "pending"),
        ("scheduling_request.cancelled", None, "cancelled"),
        ("scheduling_request.updated", "reopened", "pending"),
    ]
    message = PlatformWebhookMessage.objects.order_by("pk").first()
    assert message.payload["version"] == 1 and message.payload["timestamp"].endswith("Z")
    assert message.connection_id == request.connection_id
    assert set(message.payload["data"]) == {
        "scheduling_request_id",
        "connection_id",
        "workflow_id",
        "candidate_id",
        "job_id",
        "state",
        "url",
    }  # ids and where to read the rest: no name, no e-mail


def test_opening_scheduling_and_a_candidate_moved_on_in_iCIMS_are_announced(
    subscribed, pending, sandbox, sandbox_connection
):
    sandbox_connection.auto_advance_enabled = True
    sandbox_connection.save()
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    scheduling_request_open(scheduling_request=pending)
    sandbox.change_status(int(WORKFLOW_ID), NOT_A_TRIGGER, notify=False)  # a recruiter moved them on
    writeback_send(writeback_id=Writeback.objects.get().pk)
    scheduling_request_mark_scheduled(scheduling_request=pending)

    assert [(t, d.get("change")) for t, d in _events()] == [
        ("scheduling_request.updated", "opened"),
        ("scheduling_request.updated", "candidate_moved_on"),
        ("scheduling_request.updated", "scheduled"),
    ]


def test_write_back_outcomes_are_announced(subscribed, pending, sandbox, sandbox_connection, settings):
    sandbox_connection.auto_advance_enabled = True
    sandbox_connection.save()
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    scheduling_request_open(scheduling_request=pending)
    writeback = writeback_send(writeback_id=Writeback.objects.get().pk)

    event_type, data = _events()[-1]
    assert event_type == "writeback.succeeded"
    assert (data["writeback_id"], data["action"]) == (writeback.pk, "advance_status")
    assert data["url"].endswith(f"/api/v1/writebacks/{writeback.pk}/")

    refused = Writeback.objects.create(
        connection=sandbox_connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="refused",
        payload={"workflow_id": "999999", "from_status_id": TRIGGER, "to_status_id": "C51219"},
    )
    writeback_send(writeback_id=refused.pk)
    event_type, data = _events()[-1]
    assert (event_type, data["writeback_id"]) == ("writeback.dead", refused.pk)
    assert data["reason"]


def test_a_create_whose_worker_vanished_is_announced_as_needing_review(subscribed, sandbox_connection, settings):
    from datetime import timedelta

    from django.utils import timezone

    lost = Writeback.objects.create(
        connection=sandbox_connection,
        action=Writeback.Action.INTERVIEW_CREATE,
        idempotency_key="lost",
        state=Writeback.State.SENDING,
    )
    Writeback.objects.filter(pk=lost.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.WRITEBACK_SENDING_LEASE_SECONDS + 5)
    )

    writebacks_due_sweep()

    assert _events()[-1][0] == "writeback.needs_review"


def test_a_change_of_health_is_announced_once(subscribed, sandbox_connection):
    from integrations.selectors.connection_health import connections_health
    from integrations.services.connection_health_refresh import connection_health_rows_save

    reports = connections_health()
    connection_health_rows_save(reports=reports)  # the first row: not a change
    connection_health_rows_save(reports=reports)  # the same again
    assert _types() == []
    ConnectionHealth.objects.filter(connection=sandbox_connection).update(state="failing")

    connection_health_rows_save(reports=reports)

    [(event_type, data)] = _events()
    assert event_type == "connection.health_changed"
    assert (data["connection_id"], data["previous_state"]) == (sandbox_connection.pk, "failing")
    assert data["state"] == reports[sandbox_connection.pk].state


def test_a_rolled_back_change_announces_nothing(subscribed, pending):
    with pytest.raises(RuntimeError), transaction.atomic():
        scheduling_request_cancel(scheduling_request=pending)
        raise RuntimeError("the caller's transaction fails after the cancel")

    assert _types() == []
    pending.refresh_from_db()
    assert pending.state == "pending"
