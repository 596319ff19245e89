from __future__ import annotations

import pytest

from .support import FakeClock, local_state, make_client


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def state(tmp_path, clock):
    return local_state(tmp_path, clock)


@pytest.fixture
def client(state, clock, token_endpoint):
    return make_client(state, clock)


@pytest.fixture
def redis_state_prefix():
    """A real Redis (REDIS_URL) and a key prefix no other test uses; skipped without Redis."""
    import os
    import uuid

    import redis

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs REDIS_URL")
    prefix = f"test-{uuid.uuid4().hex}:"
    yield url, prefix
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
