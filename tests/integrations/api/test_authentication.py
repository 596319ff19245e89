"""Who gets in: a live bearer token, stored only as a hash, shown once."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from integrations.models import ApiToken
from integrations.services.api_tokens import api_token_create, api_token_revoke

from .conftest import api_client

pytestmark = pytest.mark.django_db

CONNECTIONS = "/api/v1/connections/"


def assert_unauthenticated(response, code: str):
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_request_without_a_token_is_refused(anonymous_api):
    assert_unauthenticated(anonymous_api.get(CONNECTIONS), "not_authenticated")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer gti_00000000_not-a-real-secret",
        "Bearer not-even-shaped-like-a-token",
        "Bearer ",
        "Bearer two tokens",
    ],
)
def test_a_bad_token_is_refused(acme_token, header):
    client = api_client(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_unauthenticated(client.get(CONNECTIONS), "authentication_failed")


def test_the_right_prefix_with_a_wrong_secret_is_refused(acme_token):
    forged = f"gti_{acme_token.token.prefix}_{'x' * 43}"
    assert_unauthenticated(api_client(forged).get(CONNECTIONS), "authentication_failed")


def test_another_scheme_is_not_taken_for_a_token(acme_token):
    client = api_client(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {acme_token.plaintext}")
    assert_unauthenticated(client.get(CONNECTIONS), "not_authenticated")


def test_a_revoked_token_is_refused(acme_token):
    api = api_client(acme_token.plaintext)
    assert api.get(CONNECTIONS).status_code == 200
    assert api_token_revoke(token=acme_token.token) is True
    response = api.get(CONNECTIONS)
    assert_unauthenticated(response, "authentication_failed")
    assert "revoked" in response.json()["error"]["message"]
    assert api_token_revoke(token=acme_token.token) is False


def test_an_admin_session_is_not_an_api_credential(superadmin_client):
    assert superadmin_client.get(CONNECTIONS).status_code == 401


def test_the_database_holds_a_hash_never_the_token(acme_token):
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrations_apitoken")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    secret = acme_token.plaintext.split("_", 2)[2]  # gti_<prefix>_<secret>: the secret may hold "_" itself
    assert acme_token.plaintext not in stored
    assert secret not in stored
    assert acme_token.token.prefix in stored  # the visible part, for lookup


def test_last_use_is_noted_at_most_once_a_minute(acme_token):
    api = api_client(acme_token.plaintext)
    api.get(CONNECTIONS)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    api.get(CONNECTIONS)
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
    api.get(CONNECTIONS)
    assert ApiToken.objects.get().last_used_at > first


def test_nothing_logs_the_token(acme_token, caplog):
    caplog.set_level(logging.DEBUG)
    api_client(acme_token.plaintext).get(CONNECTIONS)
    api_client(acme_token.plaintext + "tampered").get(CONNECTIONS)
    secret = acme_token.plaintext.split("_", 2)[2]  # gti_<prefix>_<secret>: the secret may hold "_" itself
    assert secret not in caplog.text


def test_a_token_needs_a_scope(acme):
    with pytest.raises(ValueError, match="either some connections or all"):
        api_token_create(name="nothing")
    with pytest.raises(ValueError, match="either some connections or all"):
        api_token_create(name="both", connections=[acme], all_connections=True)
    assert not ApiToken.objects.exists()


def test_too_many_requests_are_throttled_per_token(acme_token, settings):
    settings.API_RATE_LIMIT = "2/min"
    api = api_client(acme_token.plaintext)
    assert [api.get(CONNECTIONS).status_code for _ in range(2)] == [200, 200]
    response = api.get(CONNECTIONS)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_a_new_token_expires_after_the_default_days(acme):
    issued = api_token_create(name="platform", connections=[acme])

    assert issued.token.expires_at - timezone.now() > timedelta(days=364, hours=23)
    assert issued.token.expires_at - timezone.now() <= timedelta(days=365)


def test_an_expired_token_is_refused_with_the_date(acme):
    issued = api_token_create(name="platform", connections=[acme], expires_in_days=30)
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_client(issued.plaintext).get("/api/v1/connections/")

    assert response.status_code == 401
    assert "expired on" in response.json()["error"]["message"]


def test_a_token_may_be_made_to_never_expire(acme):
    issued = api_token_create(name="platform", connections=[acme], expires_in_days=0)

    assert issued.token.expires_at is None
    assert api_client(issued.plaintext).get("/api/v1/connections/").status_code == 200


def test_the_admin_lists_expiry_and_last_use(superadmin_client, acme_token):
    page = superadmin_client.get("/admin/integrations/apitoken/").content.decode()

    assert "Expires" in page
    assert "Last used" in page
