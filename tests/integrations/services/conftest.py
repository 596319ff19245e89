from __future__ import annotations

import pytest
import redis
import responses
from django.conf import settings
from django.core.cache import cache

from tests.fixtures.icims import icims_fixture

TOKEN_URL = "https://login.icims.com/oauth/token"
CUSTOMER_URL = "https://api.icims.com/customers/2187"
STREAM_URL = "https://data-transfer-assembler.production.env.icims.tools/datastream/v2"


@pytest.fixture(autouse=True)
def fresh_shared_state():
    """Tokens, budgets and breakers start empty in every test (on Redis too: only our own keys)."""
    cache.clear()
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter("icims:*"):
            client.delete(key)
    yield
    cache.clear()


@pytest.fixture
def icims():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def token_endpoint(icims):
    return icims.post(TOKEN_URL, json=icims_fixture("token"))
