from __future__ import annotations

import pytest
import responses

from tests.fixtures.icims import icims_fixture

from .support import TOKEN_URL, FakeClock, local_state, make_client


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def state(tmp_path, clock):
    return local_state(tmp_path, clock)


@pytest.fixture
def icims():
    """iCIMS over HTTP: every test says which calls it expects; unexpected calls fail."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def token_endpoint(icims):
    return icims.post(TOKEN_URL, json=icims_fixture("token"))


@pytest.fixture
def client(state, clock, token_endpoint):
    return make_client(state, clock)
