"""Work run in separate processes (spawned) to show that state is shared across processes."""

from __future__ import annotations

import redis
import requests

from integrations.icims.auth import OAuthTokenProvider
from integrations.icims.budget import CallBudget, Purpose
from integrations.icims.errors import IcimsBudgetExhausted
from integrations.icims.shared_state import RedisSharedState


def fetch_token(redis_url: str, prefix: str, token_url: str, start_together, results) -> None:
    state = RedisSharedState(redis.Redis.from_url(redis_url), prefix=prefix)
    provider = OAuthTokenProvider(
        state=state,
        session=requests.Session(),
        token_url=token_url,
        client_id="acme-client",
        client_secret="s3cret",
        audience="https://api.icims.com/v1/",
    )
    start_together.wait(timeout=30)
    results.put(provider.token())


def _spend(state, *, hourly_budget: int, attempts: int, start_together, results) -> None:
    """Ask the shared budget for `attempts` calls at the same moment as the other process; report the grants."""
    budget = CallBudget(state=state, name="2187", hourly_budget=hourly_budget)
    granted = 0
    start_together.wait(timeout=30)
    for _ in range(attempts):
        try:
            budget.acquire(Purpose.LIVE)
            granted += 1
        except IcimsBudgetExhausted:
            pass
    results.put(granted)


def spend_budget(redis_url: str, prefix: str, hourly_budget: int, attempts: int, start_together, results) -> None:
    state = RedisSharedState(redis.Redis.from_url(redis_url), prefix=prefix)
    _spend(state, hourly_budget=hourly_budget, attempts=attempts, start_together=start_together, results=results)


def spend_budget_on_one_machine(
    cache_dir: str, lock_path: str, hourly_budget: int, attempts: int, start_together, results
) -> None:
    from django.core.cache.backends.filebased import FileBasedCache

    from integrations.icims.shared_state import LockedCacheSharedState

    state = LockedCacheSharedState(FileBasedCache(cache_dir, {}), lock_path=lock_path)
    _spend(state, hourly_budget=hourly_budget, attempts=attempts, start_together=start_together, results=results)
