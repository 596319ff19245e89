"""Lists, the data stream, and the assumed interview and feedback services."""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.sandbox.tenant import DEFAULT_SUBSCRIPTION_ID

from .conftest import BASE_URL, CUSTOMER_URL

STREAM = f"{BASE_URL}/datastream/v2/streams"
INTERVIEWS = f"{CUSTOMER_URL}/interview-service/v1/interviews"
SUBSCRIPTION = DEFAULT_SUBSCRIPTION_ID
EVENTS = f"{STREAM}/sandbox-stream/subscriptions/{SUBSCRIPTION}/events"


def test_lists_name_the_tenant_lists_and_serve_their_nodes(api):
    names = api.get(f"{CUSTOMER_URL}/v2/lists").json()["lists"]
    folders = api.get(f"{CUSTOMER_URL}/v2/lists/lists.person.folders").json()["nodes"]

    assert "lists.person.folders" in names
    assert {"id": "D32011", "value": "HM:Active"}.items() <= folders[3].items()
    assert api.get(f"{CUSTOMER_URL}/v2/lists/lists.nope").status_code == 404


def test_the_stream_lists_its_stream_and_a_32_hex_subscription_with_another_id(api):
    assert api.get(f"{STREAM}/").json() == ["sandbox-stream"]
    assert api.get(f"{STREAM}/sandbox-stream/subscriptions").json() == [
        {"subscriptionId": SUBSCRIPTION, "streamId": "sandbox-stream", "name": "GoodTime"}
    ]
    assert re.fullmatch(r"[0-9a-f]{32}", SUBSCRIPTION)
    assert api.get(f"{STREAM}/other-stream/subscriptions").status_code == 404


def test_every_change_appends_a_stream_event(api, tenant):
    person = tenant.create_person(firstname="Björn", lastname="Ångström")
    tenant.delete_job(1001)
    tenant.change_status(10001, "C51218", notify=False)

    body = api.get(EVENTS).json()

    assert body["lastEvaluatedKey"] == ""
    assert [(e["entityType"], e["entityId"], e["eventType"]) for e in body["events"]] == [
        ("person", str(person.id), "CREATE"),
        ("job", "1001", "DELETE"),
        ("applicantworkflow", "10001", "UPDATE"),
    ]
    assert body["events"][0]["timestamp"] == "2026-11-26T18:00:00Z"
    assert set(body["events"][0]) == {"eventId", "entityType", "entityId", "eventType", "timestamp"}


def test_stream_events_page_with_exclusive_start_key(api, tenant):
    for index in range(150):
        tenant.update_person(1 + index % 20, firstname=f"Zoë {index}")
    url = EVENTS

    first = api.get(url).json()
    second = api.get(url, params={"exclusiveStartKey": first["lastEvaluatedKey"]}).json()
    after_all = api.get(url, params={"exclusiveStartKey": second["events"][-1]["eventId"]}).json()

    assert len(first["events"]) == 100
    assert len(second["events"]) == 50
    assert second["lastEvaluatedKey"] == ""  # the last page ends with an empty key, as G2 records
    assert after_all == {"events": [], "lastEvaluatedKey": ""}


def test_an_unknown_subscription_or_the_stream_id_in_its_place_is_404(api):
    assert api.get(f"{STREAM}/sandbox-stream/subscriptions/{'0' * 32}/events").status_code == 404
    assert api.get(f"{STREAM}/sandbox-stream/subscriptions/sandbox-stream/events").status_code == 404


def test_an_interview_is_created_read_patched_and_deleted(api):
    created = api.post(
        INTERVIEWS,
        json={
            "applicantWorkflowId": "10001",
            "title": "Technical interview",
            "startTime": "2026-12-01T15:00:00Z",
            "endTime": "2026-12-01T16:00:00Z",
            "location": "Zoom",
            "interviewers": [{"personId": "3", "email": "hm@example.com"}],
            "externalId": "gt-1",
        },
    )
    interview_id = created.json()["id"]
    patched = api.patch(f"{INTERVIEWS}/{interview_id}", json={"location": "Room 4"})
    deleted = api.delete(f"{INTERVIEWS}/{interview_id}")

    assert created.status_code == 201
    assert created.json()["externalId"] == "gt-1"
    assert patched.json()["location"] == "Room 4"
    assert patched.json()["title"] == "Technical interview"
    assert deleted.status_code == 204
    assert api.get(f"{INTERVIEWS}/{interview_id}").status_code == 404


def test_an_interview_without_its_times_is_a_400_and_stores_nothing(api, tenant):
    response = api.post(INTERVIEWS, json={"applicantWorkflowId": "10001", "title": "x"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["errorMessage"] == "The field startTime is required."
    assert tenant.interviews == {}


def test_feedback_forms_and_requests(api):
    forms = api.get(f"{CUSTOMER_URL}/biz-collab-feedback-service/v1/forms").json()["forms"]
    created = api.post(
        f"{CUSTOMER_URL}/biz-collab-feedback-service/v1/feedback-requests",
        json={
            "formId": forms[0]["id"],
            "applicantWorkflowId": "10001",
            "interviewerPersonId": "3",
            "interviewId": "5001",
        },
    )
    unknown_form = api.post(
        f"{CUSTOMER_URL}/biz-collab-feedback-service/v1/feedback-requests",
        json={"formId": "nope", "applicantWorkflowId": "10001", "interviewerPersonId": "3"},
    )

    assert set(forms[0]) == {"id", "name"}
    assert created.status_code == 201
    assert created.json()["id"]
    assert unknown_form.status_code == 400


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    body=st.dictionaries(
        st.sampled_from(
            ["formId", "applicantWorkflowId", "interviewerPersonId", "title", "startTime", "endTime", "interviews"]
        ),
        st.none() | st.integers() | st.text(max_size=6) | st.lists(st.integers(), max_size=2),
    )
)
def test_any_interview_or_feedback_body_gets_a_clean_answer(tenant, body):
    for path in ("interview-service/v1/interviews", "biz-collab-feedback-service/v1/feedback-requests"):
        status, _, content = tenant.handle(
            "POST",
            f"{CUSTOMER_URL}/{path}",
            "",
            {"authorization": "Basic c2FuZGJveC11c2VyOnNhbmRib3gtcGFzc3dvcmQ="},
            json.dumps(body).encode(),
        )
        assert status in (201, 400, 404)
        assert json.loads(content)
