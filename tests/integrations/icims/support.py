"""A fake clock and a ready-made client over `responses`, for the iCIMS client tests."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests
from django.core.cache.backends.locmem import LocMemCache

from integrations.icims.auth import OAuthTokenProvider
from integrations.icims.budget import CallBudget, Purpose
from integrations.icims.circuit_breaker import CircuitBreaker
from integrations.icims.client import IcimsClient
from integrations.icims.config import IcimsConfig
from integrations.icims.shared_state import LockedCacheSharedState
from integrations.icims.transport import IcimsTransport
from tests.fixtures.icims import icims_fixture

API_URL = "https://api.icims.com"
CUSTOMER_ID = "2187"
CUSTOMER_URL = f"{API_URL}/customers/{CUSTOMER_ID}"
TOKEN_URL = "https://login.icims.com/oauth/token"
STREAM_URL = "https://data-transfer-assembler.production.env.icims.tools/datastream/v2"
RATE_HEADERS = {k: v for k, v in icims_fixture("rate_limit_headers").items() if k.startswith("x-")}


class FakeClock:
    """Time that moves only when something sleeps or a test says so."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def local_state(tmp_path: Path, clock: FakeClock | None = None) -> LockedCacheSharedState:
    cache = LocMemCache(f"icims-test-{uuid.uuid4()}", {})
    return LockedCacheSharedState(cache, lock_path=tmp_path / "state.lock", **({"clock": clock} if clock else {}))


def config(**overrides) -> IcimsConfig:
    values = {
        "customer_id": CUSTOMER_ID,
        "api_url": API_URL,
        "token_url": TOKEN_URL,
        "audience": f"{API_URL}/v1/",
        "stream_url": STREAM_URL,
        "client_id": "acme-client",
        "client_secret": "acme-secret-value-1234",
    }
    return IcimsConfig(**{**values, **overrides})


def token_provider(
    state, clock: FakeClock, session: requests.Session | None = None, client_config: IcimsConfig | None = None
) -> OAuthTokenProvider:
    client_config = client_config or config()
    return OAuthTokenProvider(
        state=state,
        session=session or requests.Session(),
        token_url=client_config.token_url,
        client_id=client_config.client_id,
        client_secret=client_config.client_secret,
        audience=client_config.audience,
        clock=clock,
        sleep=clock.sleep,
    )


def make_client(
    state,
    clock: FakeClock,
    *,
    purpose: Purpose = Purpose.SYNC,
    budget: CallBudget | None = None,
    breaker: CircuitBreaker | None = None,
    on_call=None,
    max_attempts: int = 4,
    auth=None,
    client_config: IcimsConfig | None = None,
) -> IcimsClient:
    session = requests.Session()
    transport = IcimsTransport(
        session=session,
        auth=auth or token_provider(state, clock, session),
        purpose=purpose,
        budget=budget,
        breaker=breaker,
        on_call=on_call,
        max_attempts=max_attempts,
        sleep=clock.sleep,
        jitter=lambda: 1.0,
        clock=clock,
    )
    return IcimsClient(config=client_config or config(), transport=transport)
