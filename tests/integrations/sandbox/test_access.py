"""Who may call and how often: OAuth tokens, Basic, HMAC, the daily allowance, and injected faults."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests

from integrations.icims import hmac_signing
from integrations.sandbox import SandboxTenant
from integrations.sandbox.clock import SandboxClock

from .conftest import BASE_URL, CUSTOMER_URL, START, token


def test_the_token_endpoint_issues_a_bearer_token(tenant, rsps):
    tenant.install(rsps, base_url=BASE_URL)

    response = requests.post(
        f"{BASE_URL}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "audience": "https://api.icims.com/v1/",
        },
    )

    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600


def test_a_wrong_client_secret_gets_401_and_no_token(tenant, rsps):
    tenant.install(rsps, base_url=BASE_URL)

    response = requests.post(
        f"{BASE_URL}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "sandbox-client", "client_secret": "guess"},
    )

    assert response.status_code == 401
    assert "access_token" not in response.json()


@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-token", "Basic " + base64.b64encode(b"x:y").decode(), "Basic !!!"]
)
def test_a_call_without_valid_credentials_gets_401_in_the_icims_format(tenant, rsps, authorization):
    tenant.install(rsps, base_url=BASE_URL)
    headers = {"Authorization": authorization} if authorization else {}

    response = requests.get(f"{CUSTOMER_URL}/people/5", headers=headers)

    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"errorMessage": "Invalid Username or Password credentials provided.", "errorCode": 6}]
    }


def test_a_token_stops_working_when_it_expires_on_the_sandbox_clock(rsps):
    tenant = SandboxTenant.seeded(
        candidates=5, users=1, jobs=1, workflows=1, clock=SandboxClock(START), token_expires_in=60
    )
    tenant.install(rsps, base_url=BASE_URL)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token(session)}"

    assert session.get(f"{CUSTOMER_URL}/people/2").status_code == 200
    tenant.clock.advance(seconds=61)
    assert session.get(f"{CUSTOMER_URL}/people/2").status_code == 401


def test_basic_credentials_are_accepted(tenant, rsps):
    tenant.install(rsps, base_url=BASE_URL)

    response = requests.get(f"{CUSTOMER_URL}/people/5", auth=("sandbox-user", "sandbox-password"))

    assert response.status_code == 200


def test_an_hmac_signed_request_is_accepted_and_a_tampered_one_is_not(tenant, rsps):
    tenant.install(rsps, base_url=BASE_URL)
    url = f"{CUSTOMER_URL}/search/people"
    body = b'{"filters":[{"name":"person.id","value":["5"]}]}'
    headers = hmac_signing.signed_headers_for(
        key="sandbox-hmac-key",
        user="sandbox-hmac-user",
        method="POST",
        host=urlsplit(url).netloc,
        path=urlsplit(url).path,
        query="",
        body=body,
        content_type="application/json",
        now=datetime(2026, 11, 26, 18, 0, tzinfo=UTC),
    )

    signed = requests.post(url, data=body, headers=headers)
    tampered = requests.post(url, data=body.replace(b"5", b"6"), headers=headers)

    assert signed.status_code == 200
    assert tampered.status_code == 401


def test_every_api_response_carries_rate_limit_headers_and_a_transaction_id(api):
    response = api.get(f"{CUSTOMER_URL}/people/5")

    assert response.headers["x-ratelimit-limit"] == "10000"
    assert response.headers["x-ratelimit-remaining"] == "9999"
    assert response.headers["x-ratelimit-reset"] == str(6 * 3600)  # 18:00 → midnight UTC
    assert response.headers["x-transaction"].startswith("{")


def test_once_the_daily_allowance_is_spent_calls_get_429_until_midnight_utc(rsps):
    tenant = SandboxTenant.seeded(
        candidates=5, users=1, jobs=1, workflows=1, clock=SandboxClock(START), daily_allowance=2, token_expires_in=86400
    )
    tenant.install(rsps, base_url=BASE_URL)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token(session)}"

    remaining = [session.get(f"{CUSTOMER_URL}/people/2").headers["x-ratelimit-remaining"] for _ in range(2)]
    limited = session.get(f"{CUSTOMER_URL}/people/2")
    tenant.clock.advance(hours=6)
    next_day = session.get(f"{CUSTOMER_URL}/people/2")

    assert remaining == ["1", "0"]
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == str(6 * 3600)
    assert limited.json()["errors"][0]["errorMessage"] == "The daily API request limit has been reached."
    assert next_day.status_code == 200
    assert next_day.headers["x-ratelimit-remaining"] == "1"


def test_injected_server_errors_hit_only_matching_paths_and_only_n_times(api, tenant):
    tenant.faults.inject("error", count=2, path=r"/search/")
    body = {"filters": [{"name": "person.id", "value": ["5"]}]}

    other = api.get(f"{CUSTOMER_URL}/people/5")
    statuses = [api.post(f"{CUSTOMER_URL}/search/people", json=body).status_code for _ in range(3)]

    assert other.status_code == 200
    assert statuses == [503, 503, 200]


def test_an_injected_timeout_raises_a_requests_timeout_in_process(api, tenant):
    tenant.faults.inject("timeout")

    with pytest.raises(requests.exceptions.Timeout):
        api.get(f"{CUSTOMER_URL}/people/5")
    assert api.get(f"{CUSTOMER_URL}/people/5").status_code == 200


def test_an_injected_429_says_when_to_retry(api, tenant):
    tenant.faults.inject("rate_limit", retry_after=30)

    response = api.get(f"{CUSTOMER_URL}/people/5")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert "errors" in response.json()


def test_an_unknown_fault_kind_is_refused(tenant):
    with pytest.raises(ValueError, match="Unknown fault kind"):
        tenant.faults.inject("gremlins")
