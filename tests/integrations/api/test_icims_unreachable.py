"""A live lookup when iCIMS cannot be reached at all (nothing listens on its port): a documented 503
with the error body and retry advice, never a crash (500); and the schema says so for every lookup."""

from __future__ import annotations

import pytest

from integrations.models import Connection
from integrations.services.api_tokens import api_token_create
from integrations.services.resume_links import resume_link_sign
from tests.celery_workers import free_port

from .conftest import api_client

pytestmark = pytest.mark.django_db

LIVE_LOOKUPS = {
    "applications": "/api/v1/connections/{connection_id}/candidates/{icims_id}/applications/",
    "hiring team": "/api/v1/connections/{connection_id}/jobs/{icims_id}/hiring-team/",
    "feedback forms": "/api/v1/connections/{connection_id}/feedback-forms/",
    "resume file": "/api/v1/resume-files/{signed}/",
}


@pytest.fixture
def unreachable(db, settings):
    """A connection whose iCIMS host is allowed but where nothing answers (connection refused)."""
    settings.API_LIVE_MAX_ATTEMPTS = 1
    url = f"http://127.0.0.1:{free_port()}"
    return Connection.objects.create(
        name="Unreachable",
        customer_id="4040",
        api_url_override=url,
        token_url_override=f"{url}/oauth/token",
        stream_url_override=f"{url}/datastream/v2",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="client",
        client_secret="secret-that-never-leaves",
        feedback_enabled=True,
    )


@pytest.fixture
def unreachable_api(unreachable):
    return api_client(api_token_create(name="platform", connections=[unreachable]).plaintext)


@pytest.mark.parametrize("lookup", sorted(LIVE_LOOKUPS))
def test_a_live_lookup_without_a_reachable_icims_is_a_503_with_a_clear_error(unreachable, unreachable_api, lookup):
    url = LIVE_LOOKUPS[lookup].format(
        connection_id=unreachable.pk,
        icims_id=1001,
        signed=resume_link_sign(connection=unreachable, candidate_id=1001).signed,
    )
    response = unreachable_api.get(url)

    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "icims_unavailable"
    assert "could not be reached" in error["message"]
    assert "secret-that-never-leaves" not in response.content.decode()


def test_the_schema_documents_the_503_and_502_of_every_live_lookup(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for lookup, path in LIVE_LOOKUPS.items():
        responses = schema["paths"][path]["get"]["responses"]
        for status in ("502", "503"):
            body = responses[status]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}, (lookup, status)
        assert "icims_unavailable" in responses["503"]["description"]
