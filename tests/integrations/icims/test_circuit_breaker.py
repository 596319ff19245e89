"""The circuit breaker stops calling a failing tenant for a cool-down, then tries once."""

from __future__ import annotations

import pytest

from integrations.icims.circuit_breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from integrations.icims.errors import IcimsCircuitOpen, IcimsNotFound, IcimsServerError
from tests.fixtures.icims import icims_fixture

from .support import CUSTOMER_URL, make_client

JOB_URL = f"{CUSTOMER_URL}/jobs/1026"


def breaker_of(state, clock) -> CircuitBreaker:
    return CircuitBreaker(state=state, name="2187", threshold=3, cooldown=60, clock=clock)


def test_the_breaker_opens_after_consecutive_failures_and_fails_fast(state, clock, icims, token_endpoint):
    failing = icims.get(JOB_URL, status=503, json=icims_fixture("error_internal"))
    breaker = breaker_of(state, clock)
    client = make_client(state, clock, breaker=breaker, max_attempts=1)

    for _ in range(3):
        with pytest.raises(IcimsServerError):
            client.get_job(1026)
    assert breaker.status() == OPEN

    with pytest.raises(IcimsCircuitOpen) as raised:
        make_client(state, clock, breaker=breaker_of(state, clock)).get_job(1026)  # another worker

    assert failing.call_count == 3
    assert raised.value.retry_after == pytest.approx(60)


def test_after_the_cool_down_one_trial_call_closes_it_on_success(state, clock, icims, token_endpoint):
    breaker = breaker_of(state, clock)
    for _ in range(3):
        breaker.record_failure()
    clock.advance(61)
    assert breaker.status() == HALF_OPEN
    icims.get(JOB_URL, json=icims_fixture("job"))

    make_client(state, clock, breaker=breaker).get_job(1026)

    assert breaker.status() == CLOSED


def test_only_one_worker_gets_the_half_open_trial(state, clock):
    breaker = breaker_of(state, clock)
    for _ in range(3):
        breaker.record_failure()
    clock.advance(61)

    breaker.before_call()
    with pytest.raises(IcimsCircuitOpen):
        breaker_of(state, clock).before_call()


def test_a_failed_trial_opens_it_for_another_cool_down(state, clock, icims, token_endpoint):
    breaker = breaker_of(state, clock)
    for _ in range(3):
        breaker.record_failure()
    clock.advance(61)
    icims.get(JOB_URL, status=500, json=icims_fixture("error_internal"))

    with pytest.raises(IcimsServerError):
        make_client(state, clock, breaker=breaker, max_attempts=1).get_job(1026)

    assert breaker.status() == OPEN
    assert breaker.seconds_until_trial() == pytest.approx(60)


def test_errors_retrying_cannot_fix_do_not_open_it(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, status=404, json=icims_fixture("error_not_found"))
    breaker = breaker_of(state, clock)
    client = make_client(state, clock, breaker=breaker)

    for _ in range(5):
        with pytest.raises(IcimsNotFound):
            client.get_job(1026)

    assert breaker.status() == CLOSED


def test_a_success_resets_the_count_of_failures(state, clock):
    breaker = breaker_of(state, clock)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    breaker.record_failure()

    assert breaker.status() == CLOSED
