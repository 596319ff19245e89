from __future__ import annotations

import pytest
import responses

from tests.fixtures.icims import icims_fixture

TOKEN_URL = "https://login.icims.com/oauth/token"
CUSTOMER_URL = "https://api.icims.com/customers/2187"
STREAM_URL = "https://data-transfer-assembler.production.env.icims.tools/datastream/v2"


@pytest.fixture
def icims():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def token_endpoint(icims):
    return icims.post(TOKEN_URL, json=icims_fixture("token"))
