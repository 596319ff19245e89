"""Scheduling requests: newest first, filtered by state and connection, walled by tenant."""

from __future__ import annotations

import pytest

from integrations.models import SchedulingRequest

pytestmark = pytest.mark.django_db
URL = "/api/v1/scheduling-requests/"


def workflow_ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["workflow_id"] for row in response.json()["results"]]


def test_requests_are_listed_newest_first_with_their_trigger_stage(acme, acme_api, make_scheduling_request):
    make_scheduling_request(acme, 10001)
    make_scheduling_request(acme, 10002)
    response = acme_api.get(URL)
    assert workflow_ids(response) == ["10002", "10001"]
    first = response.json()["results"][0]
    assert first["state"] == "pending"
    assert first["connection"] == acme.pk
    assert first["trigger_stage"]["status_id"] == "C51218"


def test_requests_filter_by_state_and_connection(acme, globex, platform_api, make_scheduling_request):
    make_scheduling_request(acme, 1, state=SchedulingRequest.State.OPENED)
    make_scheduling_request(acme, 2)
    make_scheduling_request(globex, 3)
    assert workflow_ids(platform_api.get(URL, {"state": "opened"})) == ["1"]
    assert workflow_ids(platform_api.get(URL, {"state": ["opened", "pending"], "connection": acme.pk})) == ["2", "1"]
    assert workflow_ids(platform_api.get(URL, {"connection": globex.pk})) == ["3"]


def test_a_walled_token_sees_only_its_tenants_requests(acme, globex, acme_api, make_scheduling_request):
    make_scheduling_request(acme, 1)
    other = make_scheduling_request(globex, 2)
    assert workflow_ids(acme_api.get(URL)) == ["1"]
    assert acme_api.get(f"{URL}{other.pk}/").status_code == 404
    # Another tenant's connection id matches nothing here, exactly like an id that does not exist.
    assert workflow_ids(acme_api.get(URL, {"connection": globex.pk})) == []


def test_a_request_is_retrieved_by_id(acme, acme_api, make_scheduling_request):
    request = make_scheduling_request(acme, 10001, candidate_id=42)
    body = acme_api.get(f"{URL}{request.pk}/").json()
    assert body["id"] == request.pk and body["candidate_id"] == "42"


def test_an_unknown_state_is_a_400(acme, acme_api):
    response = acme_api.get(URL, {"state": "teleported"})
    assert response.status_code == 400
    assert "state" in response.json()["error"]["details"]
