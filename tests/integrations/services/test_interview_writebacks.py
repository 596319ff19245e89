"""Interviews and feedback requests written back to iCIMS, against the sandbox's (assumed) services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations.models import SchedulingRequest, Writeback
from integrations.services.features import FeatureDisabled
from integrations.services.feedback_requests import feedback_forms_list, feedback_request_create
from integrations.services.interview_writebacks import interview_cancel, interview_create, interview_update
from integrations.services.writeback_send import writeback_send
from tests.integrations.conftest import CANDIDATE_ID, JOB_ID, WORKFLOW_ID

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
def request_for_interviews(sandbox_connection, sandbox_stages, sandbox):
    sandbox_connection.interview_sync_enabled = True
    sandbox_connection.feedback_enabled = True
    sandbox_connection.save()
    return SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=WORKFLOW_ID,
        candidate_id=CANDIDATE_ID,
        job_id=JOB_ID,
        trigger_stage=sandbox_stages["trigger"],
        state="scheduled",
    )


def _create(request, external_id="gt-interview-1", **overrides) -> Writeback:
    fields = {
        "title": "First interview",
        "start_time": START,
        "end_time": START + timedelta(hours=1),
        "location": "Zoom",
        "interviewers": [{"person_id": "5", "email": "ivy@example.com"}],
        "external_id": external_id,
        **overrides,
    }
    return interview_create(scheduling_request=request, **fields)


def _send(writeback: Writeback) -> Writeback:
    return writeback_send(writeback_id=writeback.pk)


def test_an_interview_is_created_updated_and_cancelled_in_iCIMS(request_for_interviews, sandbox):
    created = _send(_create(request_for_interviews))
    interview_id = created.result["interview_id"]
    assert created.state == Writeback.State.SUCCEEDED
    assert sandbox.interviews[interview_id]["externalId"] == "gt-interview-1"
    assert sandbox.interviews[interview_id]["applicantWorkflowId"] == WORKFLOW_ID
    assert sandbox.interviews[interview_id]["startTime"] == "2026-12-01T15:00:00Z"

    updated = _send(
        interview_update(
            scheduling_request=request_for_interviews,
            external_id="gt-interview-1",
            changes={"title": "First interview (moved)", "start_time": START + timedelta(days=1)},
        )
    )
    assert updated.state == Writeback.State.SUCCEEDED
    assert sandbox.interviews[interview_id]["title"] == "First interview (moved)"
    assert sandbox.interviews[interview_id]["startTime"] == "2026-12-02T15:00:00Z"

    cancelled = _send(interview_cancel(scheduling_request=request_for_interviews, external_id="gt-interview-1"))
    assert cancelled.state == Writeback.State.SUCCEEDED
    assert interview_id not in sandbox.interviews


def test_asking_twice_for_the_same_interview_creates_it_once(request_for_interviews, sandbox):
    first, second = _create(request_for_interviews), _create(request_for_interviews)
    _send(first)
    _send(second)

    assert first.pk == second.pk
    assert len(sandbox.interviews) == 1


def test_an_update_waits_for_its_interview_to_be_created(request_for_interviews, sandbox):
    create = _create(request_for_interviews)
    update = interview_update(
        scheduling_request=request_for_interviews, external_id="gt-interview-1", changes={"location": "Room 4"}
    )

    waiting = _send(update)
    assert (waiting.state, waiting.attempts) == (Writeback.State.RETRYING, 0)
    assert "Waiting for the interview gt-interview-1 to be created" in waiting.last_error

    interview_id = _send(create).result["interview_id"]
    Writeback.objects.filter(pk=update.pk).update(next_attempt_at=timezone.now())
    assert _send(update).state == Writeback.State.SUCCEEDED
    assert sandbox.interviews[interview_id]["location"] == "Room 4"


def test_a_create_that_timed_out_is_never_sent_again_blindly(request_for_interviews, sandbox):
    sandbox.faults.inject("timeout", count=1, path="interview-service")

    sent = _send(_create(request_for_interviews))

    assert sent.state == Writeback.State.DEAD
    assert "may have reached iCIMS" in sent.last_error
    assert _send(sent) is None  # dead stays dead until a person retries it


def test_the_same_change_repeated_is_one_writeback_but_a_change_back_is_new(request_for_interviews):
    _create(request_for_interviews)

    def move(location):
        return interview_update(
            scheduling_request=request_for_interviews, external_id="gt-interview-1", changes={"location": location}
        )

    first, repeated = move("Room 4"), move("Room 4")
    other, back = move("Room 5"), move("Room 4")

    assert first.pk == repeated.pk
    assert len({first.pk, other.pk, back.pk}) == 3


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"end_time": START}, "end_time must be after start_time"),
        ({"external_id": ""}, "external_id is required"),
        ({"start_time": datetime(2026, 12, 1, 15, 0)}, "must carry a time zone"),
        ({"interviewers": [{"email": "x@example.com"}]}, "needs the iCIMS person_id"),
    ],
)
def test_a_bad_interview_is_refused_and_nothing_is_queued(request_for_interviews, overrides, message):
    with pytest.raises(ValueError, match=message):
        _create(request_for_interviews, **overrides)
    assert not Writeback.objects.exists()


def test_an_update_of_an_unknown_field_is_refused(request_for_interviews):
    with pytest.raises(ValueError, match="got colour"):
        interview_update(scheduling_request=request_for_interviews, external_id="x", changes={"colour": "red"})


def test_interview_calls_are_refused_while_interview_sync_is_off(request_for_interviews, sandbox_connection):
    sandbox_connection.interview_sync_enabled = False
    sandbox_connection.save()
    request_for_interviews.refresh_from_db()

    for call in (
        lambda: _create(request_for_interviews),
        lambda: interview_update(scheduling_request=request_for_interviews, external_id="x", changes={"title": "t"}),
        lambda: interview_cancel(scheduling_request=request_for_interviews, external_id="x"),
    ):
        with pytest.raises(FeatureDisabled, match="Interview sync back to iCIMS is off"):
            call()
    assert not Writeback.objects.exists()


def test_feedback_forms_are_read_live_and_a_feedback_request_is_sent(request_for_interviews, sandbox):
    forms = feedback_forms_list(connection=request_for_interviews.connection)
    created = _send(_create(request_for_interviews))

    sent = _send(
        feedback_request_create(
            scheduling_request=request_for_interviews,
            form_id=forms[0]["id"],
            interviewer_person_id="5",
            interview_external_id="gt-interview-1",
        )
    )

    assert forms[0]["name"] == "Technical Interview Scorecard"
    assert sent.state == Writeback.State.SUCCEEDED
    assert sandbox.feedback_requests[sent.result["feedback_request_id"]] == {
        "id": sent.result["feedback_request_id"],
        "formId": "form-1",
        "applicantWorkflowId": WORKFLOW_ID,
        "interviewerPersonId": "5",
        "interviewId": created.result["interview_id"],
    }


def test_feedback_calls_are_refused_while_feedback_is_off(request_for_interviews, sandbox_connection, sandbox_calls):
    sandbox_connection.feedback_enabled = False
    sandbox_connection.save()
    request_for_interviews.refresh_from_db()

    with pytest.raises(FeatureDisabled, match="Feedback forms are off"):
        feedback_forms_list(connection=sandbox_connection)
    with pytest.raises(FeatureDisabled):
        feedback_request_create(
            scheduling_request=request_for_interviews,
            form_id="form-1",
            interviewer_person_id="5",
            interview_external_id="gt-interview-1",
        )
    assert not sandbox_calls
    assert not Writeback.objects.exists()
