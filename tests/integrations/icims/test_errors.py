"""Every iCIMS failure becomes a typed error that says whether retrying can help."""

from __future__ import annotations

import pytest
import requests

from integrations.icims.auth import BasicAuth
from integrations.icims.errors import (
    IcimsAccessDenied,
    IcimsAuthError,
    IcimsConnectionError,
    IcimsNotFound,
    IcimsRateLimited,
    IcimsServerError,
    IcimsTimeout,
    IcimsValidationError,
    parse_error_header,
)
from tests.fixtures.icims import icims_fixture

from .support import CUSTOMER_URL, make_client

JOB_URL = f"{CUSTOMER_URL}/jobs/1026"


@pytest.mark.parametrize(
    ("status", "fixture", "error_class", "retryable", "code"),
    [
        (404, "error_not_found", IcimsNotFound, False, 2),
        (404, "error_access_denied", IcimsAccessDenied, False, 3),
        (400, "error_field_required", IcimsValidationError, False, 1),
        (500, "error_internal", IcimsServerError, True, 0),
    ],
)
def test_error_bodies_become_typed_errors(
    state, clock, icims, token_endpoint, status, fixture, error_class, retryable, code
):
    icims.get(JOB_URL, status=status, json=icims_fixture(fixture), headers={"x-transaction": "{TX-1}"})
    client = make_client(state, clock, max_attempts=1)

    with pytest.raises(error_class) as raised:
        client.get_job(1026)

    assert raised.value.retryable is retryable
    assert raised.value.error_code == code
    assert raised.value.status == status
    assert raised.value.message == icims_fixture(fixture)["errors"][0]["errorMessage"]
    assert "{TX-1}" in str(raised.value)


@pytest.mark.parametrize("fixture", ["error_invalid_credentials", "error_authentication_invalid"])
def test_refused_credentials_are_an_auth_error_that_retrying_cannot_fix(state, clock, icims, fixture):
    icims.get(JOB_URL, status=401, json=icims_fixture(fixture))
    client = make_client(state, clock, auth=BasicAuth(username="api-user", password="wrong"))

    with pytest.raises(IcimsAuthError) as raised:
        client.get_job(1026)

    assert raised.value.retryable is False


def test_the_x_error_header_is_read_when_the_body_says_nothing(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, status=404, body=b"", headers={"X-Error": "3:You do not have access"})

    with pytest.raises(IcimsAccessDenied, match="You do not have access") as raised:
        make_client(state, clock).get_job(1026)

    assert raised.value.error_code == 3


def test_403_is_access_denied(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, status=403, body=b"Forbidden")

    with pytest.raises(IcimsAccessDenied):
        make_client(state, clock).get_job(1026)


def test_429_is_rate_limited_and_retryable(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, status=429, headers={"Retry-After": "7"})

    with pytest.raises(IcimsRateLimited) as raised:
        make_client(state, clock).get_job(1026)

    assert raised.value.retryable is True
    assert raised.value.retry_after == 7


@pytest.mark.parametrize(
    ("exception", "error_class"),
    [
        (requests.exceptions.ConnectTimeout("connect timed out"), IcimsTimeout),
        (requests.exceptions.ReadTimeout("read timed out"), IcimsTimeout),
        (requests.exceptions.ConnectionError("connection refused"), IcimsConnectionError),
    ],
)
def test_network_failures_are_retryable_errors(state, clock, icims, token_endpoint, exception, error_class):
    icims.get(JOB_URL, body=exception)

    with pytest.raises(error_class) as raised:
        make_client(state, clock, max_attempts=1).get_job(1026)

    assert raised.value.retryable is True


def test_an_x_error_code_that_is_not_a_plain_number_is_kept_as_text():
    # '²' passes str.isdigit() but not int(): such a header must not crash the error handling.
    assert parse_error_header("²:Job not found.") == ("²:Job not found.", None)
    assert parse_error_header("2:Job not found.") == ("Job not found.", 2)
