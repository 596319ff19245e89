"""What the one request function does with failures: retry what can be fixed, stop what cannot."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest
import requests

from integrations.icims.auth import HmacAuth
from integrations.icims.budget import CallBudget, Purpose
from integrations.icims.errors import IcimsAuthError, IcimsRateLimited, IcimsServerError, IcimsTimeout
from integrations.icims.hmac_signing import parse_authorization
from integrations.icims.interviews import IcimsInterviews, InterviewRequest
from integrations.icims.transport import retry_after_seconds
from tests.fixtures.icims import icims_fixture

from .support import CUSTOMER_URL, TOKEN_URL, config, make_client

JOB_URL = f"{CUSTOMER_URL}/jobs/1026"


def test_a_burst_of_5xx_is_retried_with_growing_jittered_waits(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, status=503, json=icims_fixture("error_internal"))
    icims.get(JOB_URL, status=502, body=b"Bad gateway")
    icims.get(JOB_URL, status=500, json=icims_fixture("error_internal"))
    icims.get(JOB_URL, json=icims_fixture("job"))

    job = make_client(state, clock).get_job(1026)

    assert job["jobtitle"] == "Senior Software Engineer"
    assert clock.sleeps == [0.5, 1.0, 2.0]  # jitter fixed at its maximum in tests


def test_retries_are_bounded(state, clock, icims, token_endpoint):
    server = icims.get(JOB_URL, status=500, json=icims_fixture("error_internal"))

    with pytest.raises(IcimsServerError):
        make_client(state, clock, max_attempts=3).get_job(1026)

    assert server.call_count == 3
    assert len(clock.sleeps) == 2


def test_a_timeout_is_reported_at_once_so_a_silent_host_costs_one_timeout_not_four(state, clock, icims, token_endpoint):
    read = icims.get(JOB_URL, body=requests.exceptions.ReadTimeout("read timed out"))

    with pytest.raises(IcimsTimeout):
        make_client(state, clock, max_attempts=4).get_job(1026)

    assert (read.call_count, clock.sleeps) == (1, [])


def test_a_refused_connection_then_success_returns_the_answer(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, body=requests.exceptions.ConnectionError("connection refused"))
    icims.get(JOB_URL, json=icims_fixture("job"))

    assert make_client(state, clock).get_job(1026)["jobid"] == "2014-1026"


def test_a_retry_after_longer_than_a_few_seconds_is_raised_for_the_caller_to_requeue_not_slept(
    state, clock, icims, token_endpoint
):
    server = icims.get(JOB_URL, status=503, headers={"Retry-After": "30"})

    with pytest.raises(IcimsServerError) as raised:
        make_client(state, clock).get_job(1026)

    assert (server.call_count, clock.sleeps, raised.value.retry_after) == (1, [], 30.0)


def test_the_waits_slept_in_process_add_up_to_a_few_seconds_at_most(state, clock, icims, token_endpoint):
    server = icims.get(JOB_URL, status=500, json=icims_fixture("error_internal"))

    with pytest.raises(IcimsServerError):
        make_client(state, clock, max_attempts=10).get_job(1026)

    assert sum(clock.sleeps) <= 5.0
    assert server.call_count == len(clock.sleeps) + 1 < 10


def test_a_503_retry_after_in_seconds_is_honoured(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, status=503, headers={"Retry-After": "3"})
    icims.get(JOB_URL, json=icims_fixture("job"))

    make_client(state, clock).get_job(1026)

    assert clock.sleeps == [3.0]


def test_a_create_is_not_resent_after_a_timeout(state, clock, icims, token_endpoint):
    create = icims.post(
        f"{CUSTOMER_URL}/interview-service/v1/interviews", body=requests.exceptions.ReadTimeout("read timed out")
    )
    client = make_client(state, clock)
    interviews = IcimsInterviews(config=client.config, transport=client.transport)
    request = InterviewRequest(
        applicant_workflow_id="13437",
        title="Onsite",
        start_time=datetime(2026, 11, 26, 18, tzinfo=UTC),
        end_time=datetime(2026, 11, 26, 19, tzinfo=UTC),
    )

    with pytest.raises(IcimsTimeout):
        interviews.create_interview(request)

    assert create.call_count == 1


@pytest.mark.parametrize("retry_after", ["120", "http-date"])
def test_a_429_pauses_every_worker_of_the_connection_for_retry_after(state, clock, icims, token_endpoint, retry_after):
    if retry_after == "http-date":
        retry_after = format_datetime(datetime.fromtimestamp(clock() + 120, tz=UTC), usegmt=True)
    limited = icims.get(JOB_URL, status=429, headers={"Retry-After": retry_after})
    budget = CallBudget(state=state, name="2187", hourly_budget=80_000, clock=clock)
    first_worker = make_client(state, clock, budget=budget)
    second_worker = make_client(
        state,
        clock,
        purpose=Purpose.LIVE,
        budget=CallBudget(state=state, name="2187", hourly_budget=80_000, clock=clock),
    )

    with pytest.raises(IcimsRateLimited) as raised:
        first_worker.get_job(1026)
    assert raised.value.retry_after == pytest.approx(120)

    with pytest.raises(IcimsRateLimited) as paused:
        second_worker.get_job(1026)  # no HTTP call: the shared pause stops it first
    assert paused.value.retry_after == pytest.approx(120)
    assert limited.call_count == 1

    clock.advance(121)
    icims.get(JOB_URL, json=icims_fixture("job"))
    assert second_worker.get_job(1026)["jobid"] == "2014-1026"


def test_a_429_without_retry_after_pauses_until_the_daily_reset_when_the_allowance_is_spent(
    state, clock, icims, token_endpoint
):
    icims.get(
        JOB_URL,
        status=429,
        headers={"x-ratelimit-limit": "10000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "5000"},
    )
    budget = CallBudget(state=state, name="2187", hourly_budget=80_000, clock=clock)

    with pytest.raises(IcimsRateLimited) as raised:
        make_client(state, clock, budget=budget).get_job(1026)

    assert raised.value.retry_after == pytest.approx(5000)
    assert budget.paused_until() == pytest.approx(clock() + 5000)


def test_hmac_connections_sign_each_request(state, clock, icims):
    call = icims.get(JOB_URL, json=icims_fixture("job"))
    auth = HmacAuth(user="acme-api", key="hmac-key", now=lambda: datetime(2026, 11, 26, 18, tzinfo=UTC))

    make_client(state, clock, auth=auth).get_job(1026)

    sent = call.calls[0].request.headers
    assert parse_authorization(sent["authorization"]).user == "acme-api"
    assert sent["x-icims-date"] == "2026-11-26T18:00:00Z"


def test_the_config_never_shows_its_secret():
    assert "acme-secret-value-1234" not in repr(config())


def test_an_unreachable_login_server_is_retried_like_any_other_refused_connection(state, clock, icims):
    icims.post(TOKEN_URL, body=requests.exceptions.ConnectionError("connection refused"))
    icims.post(TOKEN_URL, json=icims_fixture("token"))
    icims.get(JOB_URL, json=icims_fixture("job"))

    assert make_client(state, clock).get_job(1026)["jobid"] == "2014-1026"
    assert clock.sleeps == [0.5]


def test_a_login_server_that_does_not_answer_costs_one_timeout(state, clock, icims):
    token = icims.post(TOKEN_URL, body=requests.exceptions.ReadTimeout("read timed out"))

    with pytest.raises(IcimsTimeout):
        make_client(state, clock).get_job(1026)

    assert (token.call_count, clock.sleeps) == (1, [])


def test_a_refused_secret_is_not_retried(state, clock, icims):
    token = icims.post(TOKEN_URL, status=401, json=icims_fixture("token_refused"))

    with pytest.raises(IcimsAuthError, match="refused the client id 'acme-client'"):
        make_client(state, clock).get_job(1026)

    assert token.call_count == 1


def test_a_retry_after_that_is_neither_seconds_nor_a_date_is_ignored():
    # '²' passes str.isdigit() but not float(): iCIMS's odd header must not crash the retry logic.
    assert retry_after_seconds("²", now=0.0) is None
    assert retry_after_seconds("7", now=0.0) == 7.0
