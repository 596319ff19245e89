"""iCIMS over HTTP for the client and service tests: each test says which calls it expects."""

from __future__ import annotations

import pytest
import responses

from tests.fixtures.icims import icims_fixture

from .icims.support import TOKEN_URL


@pytest.fixture
def icims():
    """Unexpected calls fail, and so does an expected call that never came."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def token_endpoint(icims):
    return icims.post(TOKEN_URL, json=icims_fixture("token"))
