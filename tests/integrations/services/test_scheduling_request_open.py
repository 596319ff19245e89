"""Opening a scheduling request, and the auto-advance that may follow it."""

from __future__ import annotations

import pytest

from integrations.models import SchedulingRequest, Writeback
from integrations.services.scheduling_request_open import scheduling_request_open
from integrations.services.scheduling_request_state import (
    SchedulingRequestStateError,
    scheduling_request_cancel,
    scheduling_request_mark_scheduled,
)
from integrations.services.writeback_send import writeback_send
from tests.integrations.conftest import CANDIDATE_ID, JOB_ID, NOT_A_TRIGGER, SCHEDULED, TRIGGER, WORKFLOW_ID


@pytest.fixture
def pending_request(sandbox_connection, sandbox_stages, sandbox):
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    return SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=WORKFLOW_ID,
        candidate_id=CANDIDATE_ID,
        job_id=JOB_ID,
        trigger_stage=sandbox_stages["trigger"],
    )


@pytest.fixture
def auto_advance(sandbox_connection):
    sandbox_connection.auto_advance_enabled = True
    sandbox_connection.save()


def test_opening_a_request_with_auto_advance_moves_the_candidate_on_in_iCIMS(pending_request, auto_advance, sandbox):
    request = scheduling_request_open(scheduling_request=pending_request)
    writeback = Writeback.objects.get()
    assert (request.state, writeback.action, writeback.scheduling_request) == ("opened", "advance_status", request)
    assert request.opened_at is not None

    sent = writeback_send(writeback_id=writeback.pk)

    assert sent.state == Writeback.State.SUCCEEDED
    assert sandbox.workflows[int(WORKFLOW_ID)].status.id == SCHEDULED
    request.refresh_from_db()
    assert request.advance_outcome == (
        "Advanced from Interview / First Interview - Schedule to Interview / First Interview - Scheduled "
        f"(write-back {writeback.pk})."
    )


def test_a_candidate_whose_status_moved_on_is_never_advanced(pending_request, auto_advance, sandbox, sandbox_calls):
    scheduling_request_open(scheduling_request=pending_request)
    sandbox.change_status(int(WORKFLOW_ID), NOT_A_TRIGGER, notify=False)  # a recruiter moved them meanwhile

    sent = writeback_send(writeback_id=Writeback.objects.get().pk)

    assert sent.state == Writeback.State.SKIPPED
    assert sandbox.workflows[int(WORKFLOW_ID)].status.id == NOT_A_TRIGGER
    assert not [call for call in sandbox_calls if call[0] == "PATCH"]
    pending_request.refresh_from_db()
    assert pending_request.advance_outcome.startswith(
        f"Not advanced: iCIMS shows status {NOT_A_TRIGGER} now, not the trigger status {TRIGGER}."
    )


def test_without_auto_advance_the_request_says_why_nothing_moved(pending_request):
    request = scheduling_request_open(scheduling_request=pending_request)

    assert not Writeback.objects.exists()
    assert request.advance_outcome == (
        "Auto-advance is off for this connection; the candidate stays at Interview / First Interview - Schedule."
    )


def test_a_trigger_stage_without_advance_to_advances_nothing(pending_request, auto_advance, sandbox_stages):
    pending_request.trigger_stage = sandbox_stages["second"]
    pending_request.save()

    request = scheduling_request_open(scheduling_request=pending_request)

    assert not Writeback.objects.exists()
    assert "has no advance-to status" in request.advance_outcome


def test_opening_twice_queues_one_advance(pending_request, auto_advance):
    scheduling_request_open(scheduling_request=pending_request)
    again = scheduling_request_open(scheduling_request=pending_request)

    assert again.state == "opened"
    assert Writeback.objects.count() == 1


def test_a_cancelled_request_cannot_be_opened_or_scheduled(pending_request):
    scheduling_request_cancel(scheduling_request=pending_request)

    with pytest.raises(SchedulingRequestStateError, match="only a pending request can be opened"):
        scheduling_request_open(scheduling_request=pending_request)
    with pytest.raises(SchedulingRequestStateError, match="is cancelled"):
        scheduling_request_mark_scheduled(scheduling_request=pending_request)
    pending_request.refresh_from_db()
    assert pending_request.state == "cancelled"


def test_marking_scheduled_and_cancelling_are_idempotent(pending_request):
    first = scheduling_request_mark_scheduled(scheduling_request=pending_request)
    second = scheduling_request_mark_scheduled(scheduling_request=pending_request)
    assert (second.state, second.scheduled_at) == ("scheduled", first.scheduled_at)

    cancelled = scheduling_request_cancel(scheduling_request=pending_request)
    again = scheduling_request_cancel(scheduling_request=pending_request)
    assert (again.state, again.cancelled_at) == ("cancelled", cancelled.cancelled_at)
