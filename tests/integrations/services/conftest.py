"""Fixtures shared by the write-back service tests: a queued advance of the sandbox candidate."""

from __future__ import annotations

import pytest

from integrations.models import SchedulingRequest, Writeback
from integrations.services.writeback_enqueue import writeback_enqueue
from tests.integrations.conftest import CANDIDATE_ID, JOB_ID, SCHEDULED, TRIGGER, WORKFLOW_ID


@pytest.fixture
def advance(sandbox_connection, sandbox_stages, sandbox):
    """A queued advance of the sandbox candidate from the trigger status to the next one."""
    sandbox.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    request = SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=WORKFLOW_ID,
        candidate_id=CANDIDATE_ID,
        job_id=JOB_ID,
        trigger_stage=sandbox_stages["trigger"],
        state="opened",
    )
    return writeback_enqueue(
        connection=sandbox_connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-1",
        scheduling_request=request,
        payload={"workflow_id": WORKFLOW_ID, "from_status_id": TRIGGER, "to_status_id": SCHEDULED},
    )


@pytest.fixture
def request_with_interview_sync(advance, sandbox_connection):
    sandbox_connection.interview_sync_enabled = True
    sandbox_connection.save()
    return advance.scheduling_request
