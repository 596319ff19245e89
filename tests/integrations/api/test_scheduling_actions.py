"""What the platform does with a scheduling request over the API: open (with auto-advance), schedule,
cancel; interviews and feedback requests queued for iCIMS (202) and followed as write-backs."""

from __future__ import annotations

import pytest

from integrations.models import SchedulingRequest, Writeback
from integrations.services.api_tokens import api_token_create
from integrations.services.writeback_send import writeback_send

from .conftest import api_client

pytestmark = pytest.mark.django_db
INTERVIEW = {
    "external_id": "gt-42",
    "title": "First interview",
    "start_time": "2026-12-01T15:00:00Z",
    "end_time": "2026-12-01T16:00:00+00:00",
    "location": "Zoom",
    "interviewers": [{"person_id": "5", "email": "ivy@example.com"}],
}


@pytest.fixture
def sandbox_api(sandbox, sandbox_connection):
    return api_client(api_token_create(name="platform", connections=[sandbox_connection]).plaintext)


def url(request: SchedulingRequest, suffix: str = "") -> str:
    return f"/api/v1/scheduling-requests/{request.pk}/{suffix}"


def test_opening_a_request_says_what_happened_to_the_auto_advance(sandbox_api, pending, sandbox_connection):
    sandbox_connection.auto_advance_enabled = True
    sandbox_connection.save()
    response = sandbox_api.post(url(pending, "open/"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "opened" and body["opened_at"]
    advance = Writeback.objects.get(action=Writeback.Action.ADVANCE_STATUS)
    assert f"write-back {advance.pk}" in body["advance_outcome"]
    assert sandbox_api.post(url(pending, "open/")).json()["advance_outcome"] == body["advance_outcome"]
    assert Writeback.objects.count() == 1  # opening again changes nothing


def test_without_auto_advance_opening_says_why_nothing_moved(sandbox_api, pending):
    body = sandbox_api.post(url(pending, "open/")).json()
    assert "Auto-advance is off" in body["advance_outcome"]
    assert not Writeback.objects.exists()


def test_a_request_is_scheduled_then_cancelled_and_a_cancelled_one_cannot_be_opened(sandbox_api, pending):
    assert sandbox_api.post(url(pending, "schedule/")).json()["state"] == "scheduled"
    assert sandbox_api.post(url(pending, "cancel/")).json()["state"] == "cancelled"
    response = sandbox_api.post(url(pending, "open/"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"
    assert sandbox_api.post(url(pending, "schedule/")).status_code == 409
    pending.refresh_from_db()
    assert pending.state == "cancelled"


def test_another_tenant_cannot_act_on_a_request(pending, acme_api):
    for action in ("open/", "schedule/", "cancel/"):
        assert acme_api.post(url(pending, action)).status_code == 404
    assert acme_api.post(url(pending, "interviews/"), INTERVIEW, format="json").status_code == 404
    pending.refresh_from_db()
    assert pending.state == "pending"
    assert not Writeback.objects.exists()


def test_an_interview_is_accepted_for_write_back_and_lands_in_iCIMS(sandbox_api, pending, features_on, sandbox):
    response = sandbox_api.post(url(pending, "interviews/"), INTERVIEW, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["action"] == "interview_create" and body["state"] == "pending"
    assert body["scheduling_request"] == pending.pk
    assert response["Location"].endswith(f"/api/v1/writebacks/{body['id']}/")
    assert sandbox_api.post(url(pending, "interviews/"), INTERVIEW, format="json").json()["id"] == body["id"]

    writeback_send(writeback_id=body["id"])  # what the worker does after the commit
    followed = sandbox_api.get(response["Location"]).json()
    assert followed["state"] == "succeeded"
    interview = sandbox.interviews[followed["result"]["interview_id"]]
    assert interview["externalId"] == "gt-42" and interview["startTime"] == "2026-12-01T15:00:00Z"


def test_an_interview_is_changed_and_cancelled_by_its_external_id(sandbox_api, pending, features_on):
    sandbox_api.post(url(pending, "interviews/"), INTERVIEW, format="json")
    changed = sandbox_api.patch(
        url(pending, "interviews/gt-42/"),
        {"title": "Moved", "start_time": "2026-12-02T15:00:00Z", "end_time": "2026-12-02T16:00:00Z"},
        format="json",
    )
    assert changed.status_code == 202, changed.content
    assert changed.json()["action"] == "interview_update"
    update = Writeback.objects.get(pk=changed.json()["id"])
    assert update.payload["changes"]["title"] == "Moved"
    cancelled = sandbox_api.delete(url(pending, "interviews/gt-42/"))
    assert cancelled.status_code == 202
    assert cancelled.json()["action"] == "interview_cancel"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**INTERVIEW, "end_time": "2026-12-01T14:00:00Z"}, "end_time"),
        ({**INTERVIEW, "start_time": "tomorrow-ish"}, "start_time"),
        ({key: value for key, value in INTERVIEW.items() if key != "title"}, "title"),
        ({**INTERVIEW, "interviewers": [{"email": "no-id@example.com"}]}, "interviewers"),
        ({**INTERVIEW, "external_id": "x" * 201}, "external_id"),
    ],
)
def test_a_bad_interview_is_a_400_naming_the_field_and_queues_nothing(sandbox_api, pending, features_on, body, field):
    response = sandbox_api.post(url(pending, "interviews/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert not Writeback.objects.exists()


def test_an_empty_change_is_a_400(sandbox_api, pending, features_on):
    response = sandbox_api.patch(url(pending, "interviews/gt-42/"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_body_that_is_not_json_is_a_400(sandbox_api, pending, features_on):
    response = sandbox_api.generic("POST", url(pending, "interviews/"), b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_interviews_need_interview_sync_switched_on(sandbox_api, pending):
    response = sandbox_api.post(url(pending, "interviews/"), INTERVIEW, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "feature_disabled"
    assert "interview sync back" in error["message"]
    assert not Writeback.objects.exists()


def test_feedback_forms_are_listed_live(sandbox_api, sandbox_connection, features_on):
    response = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/feedback-forms/")
    assert response.status_code == 200, response.content
    assert response.json()["results"][0] == {"id": "form-1", "name": "Technical Interview Scorecard"}


def test_feedback_forms_need_the_feature(sandbox_api, sandbox_connection):
    response = sandbox_api.get(f"/api/v1/connections/{sandbox_connection.pk}/feedback-forms/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "feature_disabled"


def test_a_feedback_request_is_accepted_for_write_back(sandbox_api, pending, features_on):
    body = {"form_id": "form-1", "interviewer_person_id": "5", "interview_external_id": "gt-42"}
    response = sandbox_api.post(url(pending, "feedback-requests/"), body, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["action"] == "feedback_request"
    missing = sandbox_api.post(url(pending, "feedback-requests/"), {"form_id": "form-1"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["error"]["details"]) == {"interviewer_person_id", "interview_external_id"}


def test_write_backs_are_walled_by_tenant(sandbox_api, pending, features_on, acme_api):
    created = sandbox_api.post(url(pending, "interviews/"), INTERVIEW, format="json").json()
    assert [
        w["id"] for w in sandbox_api.get("/api/v1/writebacks/", {"scheduling_request": pending.pk}).json()["results"]
    ] == [created["id"]]
    assert acme_api.get("/api/v1/writebacks/").json()["results"] == []
    assert acme_api.get(f"/api/v1/writebacks/{created['id']}/").status_code == 404


def test_changing_a_cancelled_interview_answers_409_and_queues_nothing(sandbox_api, pending, features_on):
    sandbox_api.post(url(pending, "interviews/"), INTERVIEW, format="json")
    assert sandbox_api.delete(url(pending, "interviews/gt-42/")).status_code == 202
    queued = Writeback.objects.count()

    response = sandbox_api.patch(url(pending, "interviews/gt-42/"), {"title": "Moved"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "interview_cancelled"
    assert Writeback.objects.count() == queued
    assert sandbox_api.delete(url(pending, "interviews/gt-42/")).status_code == 202  # cancelling again is a no-op
    assert Writeback.objects.count() == queued
