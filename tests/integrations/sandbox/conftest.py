from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses

from integrations.sandbox import SandboxTenant
from integrations.sandbox.clock import SandboxClock

BASE_URL = "https://sandbox.icims.test"
CUSTOMER_URL = f"{BASE_URL}/customers/1000"
START = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


@pytest.fixture
def tenant():
    return SandboxTenant.seeded(candidates=300, users=20, jobs=40, workflows=400, seed=7, clock=SandboxClock(START))


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def api(tenant, rsps):
    """A requests session holding a bearer token from the in-process sandbox."""
    tenant.install(rsps, base_url=BASE_URL)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token(session)}"
    return session


def token(session, *, client_id: str = "sandbox-client", client_secret: str = "sandbox-secret") -> str:
    response = session.post(
        f"{BASE_URL}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "audience": "https://api.icims.com/v1/",
        },
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def search(api, entity: str, filters: list[dict], *, staleness: int = 0, operator: str = "&", **extra):
    body = {"filters": filters, "operator": operator, **extra}
    return api.post(f"{CUSTOMER_URL}/search/{entity}?staleness={staleness}", json=body)


def found_ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [result["id"] for result in response.json()["searchResults"]]
