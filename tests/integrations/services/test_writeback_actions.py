"""What each write-back does at iCIMS: an advance moves the candidate only from the trigger status, and tells
the scheduling request what became of it."""

from __future__ import annotations

from integrations.models import Writeback
from integrations.services.writeback_actions import advance_outcome_record
from integrations.services.writeback_send import writeback_send
from tests.integrations.conftest import SCHEDULED, WORKFLOW_ID


def test_an_advance_iCIMS_already_shows_succeeds_without_changing_anything(advance, sandbox, sandbox_calls):
    sandbox.change_status(int(WORKFLOW_ID), SCHEDULED, notify=False)  # a send whose confirmation got lost

    sent = writeback_send(writeback_id=advance.pk)

    assert (sent.state, sent.result) == (Writeback.State.SUCCEEDED, {"status_id": SCHEDULED})
    assert not [call for call in sandbox_calls if call[0] == "PATCH"]


def test_an_advance_moves_the_candidate_and_confirms_the_new_status(advance, sandbox):
    sent = writeback_send(writeback_id=advance.pk)

    assert (sent.state, sent.result) == (Writeback.State.SUCCEEDED, {"status_id": SCHEDULED})
    assert sandbox.workflows[int(WORKFLOW_ID)].status.id == SCHEDULED


def test_a_dead_advance_tells_the_scheduling_request_why(advance):
    advance.state, advance.last_error = Writeback.State.DEAD, "Gave up after 6 attempts: IcimsServerError"

    advance_outcome_record(writeback=advance)

    advance.scheduling_request.refresh_from_db()
    assert advance.scheduling_request.advance_outcome == (
        f"Advance from C51218 to C51219 failed: Gave up after 6 attempts: IcimsServerError (write-back {advance.pk})"
    )
