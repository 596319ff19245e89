"""Admin pages never reach a real host: a call no test registered fails at once (ConnectionError)."""

from __future__ import annotations

import pytest
import responses


@pytest.fixture(autouse=True)
def no_real_http():
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        yield
