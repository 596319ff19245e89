"""Every API error has the same JSON shape with a stable code, whatever went wrong."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from integrations.api import live_lookups

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_an_unknown_api_url_is_a_json_404(acme_api):
    assert_error(acme_api.get("/api/v1/nothing-here/"), 404, "not_found")
    assert_error(acme_api.get("/api/v1/connections/not-a-number/"), 404, "not_found")
    assert_error(acme_api.get("/api/v1/connections/" + "9" * 40 + "/"), 404, "not_found")


def test_outside_the_api_a_404_stays_a_page(acme_api):
    response = acme_api.get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_write_to_a_read_only_endpoint_is_a_405(acme, acme_api):
    assert_error(acme_api.post("/api/v1/connections/", {}, format="json"), 405, "method_not_allowed")
    assert_error(acme_api.delete(f"/api/v1/connections/{acme.pk}/"), 405, "method_not_allowed")


def test_a_validation_error_names_each_field(acme, acme_api):
    error = assert_error(
        acme_api.get(f"/api/v1/connections/{acme.pk}/jobs/?updated_since=soon&scope_state=x"), 400, "invalid"
    )
    assert set(error["details"]) == {"updated_since", "scope_state"}


def test_a_crash_is_a_json_500_without_a_stack_trace(acme, acme_token, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(live_lookups, "job_hiring_team_lookup", explode)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {acme_token.plaintext}")
    response = client.get(f"/api/v1/connections/{acme.pk}/jobs/1/hiring-team/")
    error = assert_error(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["details"] == {}
