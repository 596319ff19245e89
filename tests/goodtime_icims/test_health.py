"""Load balancers and orchestrators probe /health/ (readiness) and /health/live/ (liveness)."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_readiness_reports_the_database_and_cache_healthy(client):
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"Database(alias='default')": "OK", "Cache(alias='default')": "OK"}


@pytest.mark.django_db
def test_readiness_fails_when_the_cache_is_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500
    assert response.json()["Database(alias='default')"] == "OK"


def test_liveness_answers_without_consulting_anything(client):
    response = client.get("/health/live/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200


def test_health_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/live/", HTTP_ACCEPT="application/json").status_code == 200


def test_the_api_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi" in response.content
