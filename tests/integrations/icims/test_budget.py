"""The call budget: priorities, the daily allowance iCIMS reports, the hourly pace, shared by all workers."""

from __future__ import annotations

import multiprocessing

import pytest
import redis

from integrations.icims.budget import CallBudget, Purpose
from integrations.icims.errors import IcimsBudgetExhausted
from integrations.icims.shared_state import RedisSharedState
from tests.fixtures.icims import icims_fixture

from . import processes
from .support import CUSTOMER_URL, RATE_HEADERS, make_client

JOB_URL = f"{CUSTOMER_URL}/jobs/1026"


def budget_of(state, clock, hourly_budget: int = 10) -> CallBudget:
    return CallBudget(state=state, name="2187", hourly_budget=hourly_budget, clock=clock)


def test_sync_stops_at_its_share_of_the_hour_and_a_live_lookup_still_gets_through(state, clock):
    budget = budget_of(state, clock, hourly_budget=10)
    for _ in range(8):  # sync may fill 80%
        budget.acquire(Purpose.SYNC)

    with pytest.raises(IcimsBudgetExhausted) as raised:
        budget.acquire(Purpose.SYNC)

    budget.acquire(Purpose.LIVE)
    budget.acquire(Purpose.LIVE)
    with pytest.raises(IcimsBudgetExhausted):
        budget.acquire(Purpose.LIVE)  # the whole budget is spent now
    assert 0 < raised.value.retry_after <= 3600
    assert budget.calls_this_hour() == 10


def test_priorities_order_live_writeback_webhook_sync(state, clock):
    budget = budget_of(state, clock, hourly_budget=100)
    granted = {}
    for purpose in [Purpose.SYNC, Purpose.WEBHOOK, Purpose.WRITEBACK, Purpose.LIVE]:
        granted[purpose] = 0
        while True:
            try:
                budget.acquire(purpose)
            except IcimsBudgetExhausted:
                break
            granted[purpose] += 1

    assert granted == {Purpose.SYNC: 80, Purpose.WEBHOOK: 10, Purpose.WRITEBACK: 5, Purpose.LIVE: 5}


def test_a_new_hour_gives_sync_a_new_share(state, clock):
    budget = budget_of(state, clock, hourly_budget=10)
    for _ in range(8):
        budget.acquire(Purpose.SYNC)

    clock.advance(3600)

    budget.acquire(Purpose.SYNC)
    assert budget.calls_this_hour() == 1


def test_sync_stops_before_the_daily_allowance_runs_out_but_a_live_lookup_is_served(
    state, clock, icims, token_endpoint
):
    nearly_spent = {
        **RATE_HEADERS,
        "x-ratelimit-limit": "10000",
        "x-ratelimit-remaining": "1000",
        "x-ratelimit-reset": "7200",
    }
    call = icims.get(JOB_URL, json=icims_fixture("job"), headers=nearly_spent)
    budget = budget_of(state, clock, hourly_budget=80_000)
    sync = make_client(state, clock, budget=budget)
    live = make_client(state, clock, purpose=Purpose.LIVE, budget=budget)

    sync.get_job(1026)  # iCIMS now says 1,000 of 10,000 are left: sync's 10% reserve

    with pytest.raises(IcimsBudgetExhausted, match="1000 of today's 10000") as raised:
        sync.get_job(1026)
    assert raised.value.retry_after == pytest.approx(7200)
    assert live.get_job(1026)["jobid"] == "2014-1026"
    assert call.call_count == 2


def test_the_daily_allowance_is_forgotten_at_the_reset(state, clock):
    budget = budget_of(state, clock, hourly_budget=80_000)
    budget.observe({"x-ratelimit-limit": "10000", "x-ratelimit-remaining": "10", "x-ratelimit-reset": "60"})
    with pytest.raises(IcimsBudgetExhausted):
        budget.acquire(Purpose.SYNC)

    clock.advance(61)

    budget.acquire(Purpose.SYNC)


def test_headers_without_rate_limits_change_nothing(state, clock):
    budget = budget_of(state, clock)
    budget.observe({"x-ratelimit-limit": "oops"})

    assert budget.daily_allowance() is None


@pytest.mark.redis
def test_two_processes_sharing_the_budget_on_redis_never_exceed_it(redis_state_prefix):
    redis_url, prefix = redis_state_prefix
    context = multiprocessing.get_context("spawn")
    results, start_together = context.Queue(), context.Barrier(2)
    workers = [
        context.Process(target=processes.spend_budget, args=(redis_url, prefix, 150, 120, start_together, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    granted = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)

    assert sum(granted) == 150
    assert all(count > 0 for count in granted)


def test_two_processes_on_one_machine_without_redis_never_exceed_it(tmp_path):
    context = multiprocessing.get_context("spawn")
    results, start_together = context.Queue(), context.Barrier(2)
    workers = [
        context.Process(
            target=processes.spend_budget_on_one_machine,
            args=(str(tmp_path / "cache"), str(tmp_path / "state.lock"), 60, 50, start_together, results),
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    granted = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)

    assert sum(granted) == 60


@pytest.mark.redis
def test_the_daily_allowance_is_forgotten_at_its_reset_even_if_redis_still_holds_it(redis_state_prefix, clock):
    # Redis expires keys on its own clock; the budget's clock (here one that moves on faster) decides the reset.
    redis_url, prefix = redis_state_prefix
    state = RedisSharedState(redis.Redis.from_url(redis_url), prefix=prefix)
    budget = budget_of(state, clock, hourly_budget=80_000)
    budget.observe({"x-ratelimit-limit": "10000", "x-ratelimit-remaining": "10", "x-ratelimit-reset": "60"})
    with pytest.raises(IcimsBudgetExhausted):
        budget.acquire(Purpose.SYNC)

    clock.advance(61)

    budget.acquire(Purpose.SYNC)
    assert budget.daily_allowance() is None
