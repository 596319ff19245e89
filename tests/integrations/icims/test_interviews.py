"""The interview and feedback adapter sends exactly the assumed shapes written in its docstring."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from responses import matchers

from integrations.icims.interviews import IcimsInterviews, Interviewer, InterviewRequest
from tests.fixtures.icims import icims_fixture

from .support import CUSTOMER_URL, make_client

INTERVIEWS_URL = f"{CUSTOMER_URL}/interview-service/v1/interviews"
FEEDBACK_URL = f"{CUSTOMER_URL}/biz-collab-feedback-service/v1"


@pytest.fixture
def interviews(state, clock, token_endpoint):
    client = make_client(state, clock, max_attempts=1)
    return IcimsInterviews(config=client.config, transport=client.transport)


def test_creating_an_interview_posts_the_assumed_payload(interviews, icims):
    expected = {key: value for key, value in icims_fixture("interview").items() if key != "id"}
    icims.post(
        INTERVIEWS_URL, status=201, json=icims_fixture("interview"), match=[matchers.json_params_matcher(expected)]
    )

    created = interviews.create_interview(
        InterviewRequest(
            applicant_workflow_id="13437",
            title="Onsite: Senior Software Engineer",
            start_time=datetime(2026, 11, 26, 18, tzinfo=UTC),
            end_time=datetime(2026, 11, 26, 19, tzinfo=UTC),
            location="Room 4",
            interviewers=[Interviewer(person_id="9059", email="rita@example.com")],
            external_id="gt-sched-77",
        )
    )

    assert created["id"] == "int-501"


def test_reading_updating_and_deleting_an_interview(interviews, icims):
    icims.get(f"{INTERVIEWS_URL}/int-501", json=icims_fixture("interview"))
    moved = {**icims_fixture("interview"), "startTime": "2026-11-27T18:00:00Z"}
    icims.patch(
        f"{INTERVIEWS_URL}/int-501",
        json=moved,
        match=[matchers.json_params_matcher({"startTime": "2026-11-27T18:00:00Z"})],
    )
    deleted = icims.delete(f"{INTERVIEWS_URL}/int-501", status=204)

    assert interviews.get_interview("int-501")["title"] == "Onsite: Senior Software Engineer"
    assert interviews.update_interview("int-501", {"startTime": datetime(2026, 11, 27, 18, tzinfo=UTC)}) == moved
    interviews.delete_interview("int-501")
    assert deleted.call_count == 1


def test_feedback_forms_are_listed(interviews, icims):
    icims.get(f"{FEEDBACK_URL}/forms", json=icims_fixture("feedback_forms"))

    assert [form["name"] for form in interviews.get_feedback_forms()] == [
        "Engineering onsite scorecard",
        "Phone screen",
    ]


def test_a_feedback_request_posts_the_assumed_payload(interviews, icims):
    icims.post(
        f"{FEEDBACK_URL}/feedback-requests",
        status=201,
        json=icims_fixture("feedback_request"),
        match=[
            matchers.json_params_matcher(
                {
                    "formId": "form-1",
                    "applicantWorkflowId": "13437",
                    "interviewerPersonId": "9059",
                    "interviewId": "int-501",
                }
            )
        ],
    )

    created = interviews.create_feedback_request(
        form_id="form-1", applicant_workflow_id="13437", interviewer_person_id="9059", interview_id="int-501"
    )

    assert created["id"] == "fr-301"
