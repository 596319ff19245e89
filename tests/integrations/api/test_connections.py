"""Connections: what the platform sees of a tenant, and never its credentials; tenants are walled."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_connection_shows_its_settings_and_features(acme, acme_api):
    acme.interview_sync_enabled = True
    acme.auto_advance_enabled = True
    acme.save()
    response = acme_api.get(f"/api/v1/connections/{acme.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": acme.pk,
        "name": "Acme",
        "customer_id": "2187",
        "region": "us",
        "active": True,
        "trigger_mode": "live",
        "features": {"interview_sync": True, "feedback_forms": False, "auto_advance": True},
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


def test_credentials_never_appear(acme, acme_api):
    text = acme_api.get("/api/v1/connections/").content.decode()
    assert "acme-secret-value-1234" not in text
    assert "acme-client" not in text
    assert "secret" not in text


def test_a_walled_token_lists_only_its_tenant(acme, globex, acme_api):
    response = acme_api.get("/api/v1/connections/")
    assert [c["customer_id"] for c in response.json()["results"]] == ["2187"]


def test_another_tenants_connection_is_not_found_rather_than_forbidden(acme, globex, acme_api):
    response = acme_api.get(f"/api/v1/connections/{globex.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert acme_api.get(f"/api/v1/connections/{globex.pk}/candidates/").status_code == 404


def test_a_token_for_all_connections_sees_every_tenant(acme, globex, platform_api):
    results = platform_api.get("/api/v1/connections/").json()["results"]
    assert sorted(c["customer_id"] for c in results) == ["2187", "3100"]


def test_connections_filter_by_region_and_state(acme, globex, platform_api):
    globex.is_active = False
    globex.save()
    assert [c["name"] for c in platform_api.get("/api/v1/connections/?region=eu").json()["results"]] == ["Globex"]
    assert [c["name"] for c in platform_api.get("/api/v1/connections/?active=true").json()["results"]] == ["Acme"]


def test_a_token_scoped_to_a_deleted_connection_sees_nothing(acme, acme_api):
    acme.delete()
    assert acme_api.get("/api/v1/connections/").json()["results"] == []
