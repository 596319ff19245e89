"""What interview and feedback bodies may hold, as the schema states it: required text that is more
than whitespace, no NUL anywhere, an external_id that can go in the interview's URL, a PATCH that
changes something. What the schema allows is queued (202); the rest is a 400 naming the field."""

from __future__ import annotations

import re

import pytest

from integrations.api.text_fields import NO_NUL_PATTERN, NOT_BLANK_PATTERN
from integrations.models import SchedulingRequest, Writeback
from integrations.services.api_tokens import api_token_create

from .conftest import api_client

pytestmark = pytest.mark.django_db
INTERVIEW = {
    "external_id": "gt-42",
    "title": "First interview",
    "start_time": "2026-12-01T15:00:00Z",
    "end_time": "2026-12-01T16:00:00Z",
}
FEEDBACK = {"form_id": "F1", "interviewer_person_id": "5", "interview_external_id": "gt-42"}


@pytest.fixture
def sandbox_api(sandbox, sandbox_connection):
    return api_client(api_token_create(name="platform", connections=[sandbox_connection]).plaintext)


def url(request: SchedulingRequest, suffix: str) -> str:
    return f"/api/v1/scheduling-requests/{request.pk}/{suffix}"


@pytest.fixture
def schemas(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["components"]["schemas"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**INTERVIEW, "title": "   "}, "title"),
        ({**INTERVIEW, "title": "Chat\x00"}, "title"),
        ({**INTERVIEW, "external_id": " \t "}, "external_id"),
        ({**INTERVIEW, "external_id": "gt/42"}, "external_id"),  # could never be changed at /interviews/gt/42/
        ({**INTERVIEW, "location": "Room\x001"}, "location"),
        ({**INTERVIEW, "interviewers": [{"person_id": " "}]}, "interviewers"),
        # The schema says string: a number is not read as text.
        ({**INTERVIEW, "interviewers": [{"person_id": 5}]}, "interviewers"),
        ({**INTERVIEW, "title": 42}, "title"),
    ],
)
def test_an_interview_with_text_the_schema_refuses_is_a_400_and_queues_nothing(
    sandbox_api, pending, features_on, body, field
):
    response = sandbox_api.post(url(pending, "interviews/"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert not Writeback.objects.exists()


def test_text_the_schema_allows_is_queued_as_sent(sandbox_api, pending, features_on):
    body = {**INTERVIEW, "external_id": "gt 42 (é)", "title": " Chat ", "location": ""}
    response = sandbox_api.post(url(pending, "interviews/"), body, format="json")
    assert response.status_code == 202, response.content
    assert Writeback.objects.get().payload["external_id"] == "gt 42 (é)"


def test_a_feedback_request_needs_ids_with_content(sandbox_api, pending, features_on):
    response = sandbox_api.post(url(pending, "feedback-requests/"), {**FEEDBACK, "form_id": " "}, format="json")
    assert "form_id" in response.json()["error"]["details"]
    assert sandbox_api.post(url(pending, "feedback-requests/"), FEEDBACK, format="json").status_code == 202


def test_an_external_id_with_a_null_character_in_the_url_is_not_found(sandbox_api, pending, features_on):
    response = sandbox_api.delete(url(pending, "interviews/gt%0042/"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not Writeback.objects.exists()


@pytest.mark.parametrize("body", [{}, {"colour": "blue"}])
def test_a_change_that_names_no_field_is_a_400(sandbox_api, pending, features_on, body):
    response = sandbox_api.patch(url(pending, "interviews/gt-42/"), body, format="json")
    assert response.status_code == 400
    assert not Writeback.objects.exists()


def test_a_change_without_a_body_is_a_400(sandbox_api, pending, features_on):
    assert sandbox_api.generic("PATCH", url(pending, "interviews/gt-42/")).status_code == 400
    assert not Writeback.objects.exists()


def test_the_schema_states_each_of_these_limits(schemas, client):
    create = schemas["InterviewCreateRequest"]["properties"]
    assert create["title"]["pattern"] == NOT_BLANK_PATTERN and create["title"]["minLength"] == 1
    assert create["location"]["oneOf"][0]["pattern"] == NO_NUL_PATTERN
    external_id = re.compile(create["external_id"]["pattern"])
    assert external_id.search("gt 42") and not external_id.search("gt/42") and not external_id.search("  ")
    assert schemas["PatchedInterviewUpdateRequest"]["anyOf"] == [
        {"required": [name]} for name in ("title", "start_time", "end_time", "location", "interviewers")
    ]
    assert schemas["FeedbackRequestRequest"]["properties"]["form_id"]["pattern"] == NOT_BLANK_PATTERN
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    parameters = paths["/api/v1/scheduling-requests/{id}/interviews/{external_id}/"]["delete"]["parameters"]
    in_path = next(p for p in parameters if p["name"] == "external_id")
    assert in_path["schema"] == {"type": "string", "pattern": r"^[^/\u0000]{1,200}$"}
    assert paths["/api/v1/scheduling-requests/{id}/interviews/{external_id}/"]["patch"]["requestBody"]["required"]


def test_the_patterns_mean_the_same_to_python_and_to_the_schema():
    """\\u0000 in a pattern is NUL for Python's re as for JSON Schema's ECMA-262 regexes."""
    assert re.search(NO_NUL_PATTERN, "a\nb") and not re.search(NO_NUL_PATTERN, "a\x00b")
    assert re.search(NOT_BLANK_PATTERN, " a ") and not re.search(NOT_BLANK_PATTERN, " \t\n")
