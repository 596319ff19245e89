"""The shared-state checks around an iCIMS call: the same limits as before (budget, pause, breaker), in at most
two Redis round trips per call, counted on a real Redis connection; and the same behaviour without Redis."""

from __future__ import annotations

import pytest
import redis

from integrations.icims.budget import CallBudget, Purpose
from integrations.icims.call_gate import CallGate
from integrations.icims.circuit_breaker import CircuitBreaker
from integrations.icims.errors import IcimsBudgetExhausted, IcimsCircuitOpen, IcimsRateLimited
from integrations.icims.shared_state import RedisSharedState

from .support import CUSTOMER_URL, RATE_HEADERS, make_client


class RoundTrips:
    """A Redis connection class that counts what it sends: a pipeline is one send, a command is one."""

    def __init__(self) -> None:
        self.count = 0
        counter = self

        class CountingConnection(redis.Connection):
            def send_packed_command(self, command, check_health=True):
                counter.count += 1
                return super().send_packed_command(command, check_health)

        self.connection_class = CountingConnection


@pytest.fixture
def counted_redis(redis_state_prefix):
    url, prefix = redis_state_prefix
    trips = RoundTrips()
    pool = redis.ConnectionPool.from_url(url, connection_class=trips.connection_class)
    return RedisSharedState(redis.Redis(connection_pool=pool), prefix=prefix), trips


def _gate(state, clock, *, hourly_budget: int = 1000) -> tuple[CallBudget, CircuitBreaker]:
    budget = CallBudget(state=state, name="2187", hourly_budget=hourly_budget, clock=clock)
    breaker = CircuitBreaker(state=state, name="2187", threshold=2, cooldown=60, clock=clock)
    return budget, breaker


@pytest.mark.redis
def test_a_successful_call_costs_at_most_two_redis_round_trips(counted_redis, clock, icims, token_endpoint):
    state, trips = counted_redis
    budget, breaker = _gate(state, clock)
    client = make_client(state, clock, budget=budget, breaker=breaker)
    for number in range(1, 12):
        icims.get(f"{CUSTOMER_URL}/people/{number}", json={"firstname": "Ada"}, headers=RATE_HEADERS)
    client.get_profile("people", 1)  # the first call also reads and stores the token
    trips.count = 0

    for number in range(2, 12):
        client.get_profile("people", number)

    assert trips.count / 10 == 2  # one before (budget, pause, breaker), one after (the daily allowance)
    assert budget.calls_this_hour() == 11
    assert budget.daily_allowance()["limit"] == int(RATE_HEADERS["x-ratelimit-limit"])


@pytest.mark.redis
def test_a_success_after_failures_closes_the_breaker_in_the_same_round_trip(counted_redis, clock):
    state, trips = counted_redis
    budget, breaker = _gate(state, clock)
    gate = CallGate(budget=budget, breaker=breaker)
    breaker.record_failure()
    trips.count = 0

    admission = gate.admit(Purpose.SYNC)
    gate.settle(admission, headers={}, succeeded=True)

    assert trips.count == 2
    assert state.get(breaker.failures_key) is None


def test_an_open_breaker_refuses_before_the_budget_and_gives_the_call_back(state, clock):
    budget, breaker = _gate(state, clock)
    gate = CallGate(budget=budget, breaker=breaker)
    breaker.record_failure()
    breaker.record_failure()

    with pytest.raises(IcimsCircuitOpen):
        gate.admit(Purpose.SYNC)
    assert budget.calls_this_hour() == 0


def test_a_pause_and_a_spent_hour_refuse_without_counting(state, clock):
    budget, breaker = _gate(state, clock, hourly_budget=10)
    gate = CallGate(budget=budget, breaker=breaker)
    for _ in range(8):  # sync may use 80 %
        gate.admit(Purpose.SYNC)
    with pytest.raises(IcimsBudgetExhausted):
        gate.admit(Purpose.SYNC)
    assert budget.calls_this_hour() == 8
    gate.admit(Purpose.LIVE)  # a person waiting still gets through

    budget.pause(30)
    with pytest.raises(IcimsRateLimited) as refused:
        gate.admit(Purpose.LIVE)
    assert refused.value.retry_after == 30
    assert budget.calls_this_hour() == 9


def test_a_half_open_breaker_lets_exactly_one_trial_through(state, clock):
    budget, breaker = _gate(state, clock)
    gate = CallGate(budget=budget, breaker=breaker)
    breaker.record_failure()
    breaker.record_failure()
    clock.advance(61)

    trial = gate.admit(Purpose.SYNC)
    with pytest.raises(IcimsCircuitOpen):
        gate.admit(Purpose.SYNC)
    gate.settle(trial, headers={}, succeeded=True)

    assert breaker.status() == "closed"
    gate.admit(Purpose.SYNC)
