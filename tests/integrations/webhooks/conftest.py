"""Two tenants, one per authentication mode, and a way to post an event to the endpoint as iCIMS would."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from integrations.icims.hmac_signing import signed_headers_for
from integrations.models import Connection
from integrations.webhooks.credentials_cache import credentials_forget_all

WEBHOOK_PATH = "/v2/ats/webhook/icims"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "icims" / "webhooks"
ACME_PASSWORD = "acme-webhook-password-8f2d"
GLOBEX_KEY = "globex-hmac-key-current-77aa"
GLOBEX_PREVIOUS_KEY = "globex-hmac-key-previous-11bb"


def fixture_payload(event_type: str) -> dict:
    return json.loads((FIXTURES / f"{event_type}.json").read_text())


def basic_authorization(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def acme(connection):
    """Customer 2187, authenticating its webhooks with Basic."""
    connection.webhook_auth = Connection.WebhookAuth.BASIC
    connection.webhook_username = "icims-acme"
    connection.webhook_password = ACME_PASSWORD
    connection.save()
    return connection


@pytest.fixture
def globex(db):
    """Customer 3100, authenticating its webhooks with HMAC, mid-way through a key rotation."""
    return Connection.objects.create(
        name="Globex",
        customer_id="3100",
        webhook_auth=Connection.WebhookAuth.HMAC,
        webhook_username="icims-globex",
        webhook_hmac_key=GLOBEX_KEY,
        webhook_hmac_key_previous=GLOBEX_PREVIOUS_KEY,
    )


@pytest.fixture
def post_webhook(client):
    """Post a body to the endpoint; `payload` may be a dict (JSON-encoded) or raw bytes."""

    def post(
        payload,
        *,
        authorization: str | None = None,
        gzipped: bool = False,
        hmac_key: str | None = None,
        hmac_user: str = "icims-globex",
        signed_at: datetime | None = None,
        content_encoding: str | None = None,
    ):
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        if gzipped:
            raw = gzip.compress(raw)
        headers = {}
        if gzipped or content_encoding is not None:
            headers["HTTP_CONTENT_ENCODING"] = "gzip" if content_encoding is None else content_encoding
        if hmac_key is not None:
            signed = signed_headers_for(
                key=hmac_key,
                user=hmac_user,
                method="POST",
                host="testserver",
                path=WEBHOOK_PATH,
                query="",
                body=raw,
                content_type="application/json",
                now=signed_at or timezone.now(),
            )
            headers.update(
                {
                    "HTTP_HOST": "testserver",
                    "HTTP_X_ICIMS_DATE": signed["x-icims-date"],
                    "HTTP_X_ICIMS_CONTENT_SHA256": signed["x-icims-content-sha256"],
                    "HTTP_AUTHORIZATION": signed["authorization"],
                }
            )
        elif authorization is not None:
            headers["HTTP_AUTHORIZATION"] = authorization
        return client.generic("POST", WEBHOOK_PATH, raw, content_type="application/json", **headers)

    return post


@pytest.fixture
def acme_basic():
    return basic_authorization("icims-acme", ACME_PASSWORD)


@pytest.fixture(autouse=True)
def credentials_memory_cleared():
    """Each test starts with a web process that has checked no credentials yet."""
    credentials_forget_all()
    yield
    credentials_forget_all()
