"""The call budget of one connection, shared by every worker on every machine.

Three limits, checked before each call:
- a pause after a 429: nobody calls until iCIMS said we may (`Retry-After` or the daily reset);
- the daily allowance iCIMS reports (`x-ratelimit-remaining`, `-reset` = seconds to 00:00 UTC):
  background work stops while a reserve is left for the work a person is waiting on;
- the connection's hourly budget (a window per clock hour): sync may use only part of it, so a
  live lookup still gets through when sync has spent its share.

Priorities, highest first: live lookups > write-backs > webhook processing > sync.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from enum import StrEnum

from .errors import IcimsBudgetExhausted, IcimsRateLimited
from .shared_state import SharedState

HOUR = 3600
HOUR_KEY_TTL = HOUR + 60
DEFAULT_PAUSE_SECONDS = 60


class Purpose(StrEnum):
    LIVE = "live"
    WRITEBACK = "writeback"
    WEBHOOK = "webhook"
    SYNC = "sync"


# The share of the hourly budget each purpose may fill (counting every purpose's calls).
HOURLY_SHARE = {Purpose.LIVE: 1.0, Purpose.WRITEBACK: 0.95, Purpose.WEBHOOK: 0.9, Purpose.SYNC: 0.8}
# The share of iCIMS's daily allowance each purpose must leave untouched.
DAILY_RESERVE = {Purpose.LIVE: 0.0, Purpose.WRITEBACK: 0.02, Purpose.WEBHOOK: 0.05, Purpose.SYNC: 0.10}


class CallBudget:
    def __init__(
        self, *, state: SharedState, name: str, hourly_budget: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.state = state
        self.name = name
        self.hourly_budget = hourly_budget
        self.clock = clock

    # -- before a call -------------------------------------------------------------------------
    def acquire(self, purpose: Purpose) -> None:
        """Spend one call for `purpose`, or raise IcimsRateLimited / IcimsBudgetExhausted (one round trip)."""
        now = self.clock()
        used, (paused_until, daily) = self.state.incr_and_get(
            self.hour_key(now), ttl=HOUR_KEY_TTL, read=[self.pause_key, self.daily_key]
        )
        try:
            self.check(purpose, now=now, used=used, paused_until=paused_until, daily=daily)
        except (IcimsRateLimited, IcimsBudgetExhausted):
            self.refund(now=now)
            raise

    def check(self, purpose: Purpose, *, now: float, used: int, paused_until: str | None, daily: str | None) -> None:
        """Raise when a call for `purpose` may not go out, given the values read from the shared state: the
        pause, the daily allowance, and the hourly count including this call."""
        if paused_until is not None and float(paused_until) > now:
            raise IcimsRateLimited(
                "iCIMS asked us to slow down; every worker of this connection waits",
                retry_after=float(paused_until) - now,
            )
        allowance = json.loads(daily) if daily is not None else None
        # The record's own reset time decides, not the store's expiry: Redis expires keys on its wall clock,
        # which need not be the budget's (a clock shifted for a sandbox, or skewed), and a record kept past
        # its reset would hold back every call until it expired.
        if allowance is not None and allowance["reset_at"] > now:
            reserve = math.ceil(allowance["limit"] * DAILY_RESERVE[purpose])
            if allowance["remaining"] <= reserve:
                raise IcimsBudgetExhausted(
                    f"{allowance['remaining']} of today's {allowance['limit']} iCIMS calls are left, "
                    f"kept for work with a higher priority than {purpose}",
                    retry_after=max(0.0, allowance["reset_at"] - now),
                )
        ceiling = math.floor(self.hourly_budget * HOURLY_SHARE[purpose])
        if used > ceiling:
            raise IcimsBudgetExhausted(
                f"{purpose} may use {ceiling} of this connection's {self.hourly_budget} calls an hour; all used",
                retry_after=HOUR - now % HOUR,
            )

    def refund(self, *, now: float) -> None:
        """Give back the call counted at `now` that did not go out."""
        self.state.incr(self.hour_key(now), amount=-1, ttl=HOUR_KEY_TTL)

    # -- after a call ----------------------------------------------------------------------------
    def observe(self, headers: Mapping[str, str]) -> None:
        """Remember the daily allowance iCIMS reported in its rate-limit headers."""
        self.state.write_many(sets=self.observed(headers))

    def observed(self, headers: Mapping[str, str]) -> dict[str, tuple[str, float]]:
        """What to write after a call: the daily allowance iCIMS reported, if its headers say."""
        try:
            limit = int(headers["x-ratelimit-limit"])
            remaining = int(headers["x-ratelimit-remaining"])
            reset = int(headers["x-ratelimit-reset"])
        except (KeyError, ValueError, TypeError):
            return {}
        if reset <= 0:
            return {}
        record = {"limit": limit, "remaining": remaining, "reset_at": self.clock() + reset}
        return {self.daily_key: (json.dumps(record), reset)}

    def pause(self, seconds: float | None) -> float:
        """Stop every worker of this connection for `seconds` (after a 429); returns the pause used."""
        if not seconds or seconds <= 0:
            daily = self.daily_allowance()
            exhausted = daily is not None and daily["remaining"] <= 0
            seconds = daily["reset_at"] - self.clock() if exhausted else DEFAULT_PAUSE_SECONDS
        self.state.set(self.pause_key, str(self.clock() + seconds), ttl=seconds)
        return seconds

    # -- for the admin ---------------------------------------------------------------------------
    def paused_until(self) -> float | None:
        value = self.state.get(self.pause_key)
        return None if value is None or float(value) <= self.clock() else float(value)

    def daily_allowance(self) -> dict | None:
        """What iCIMS last reported of today's allowance; None once its reset time has passed."""
        value = self.state.get(self.daily_key)
        allowance = None if value is None else json.loads(value)
        return allowance if allowance is not None and allowance["reset_at"] > self.clock() else None

    def calls_this_hour(self) -> int:
        return int(self.state.get(self.hour_key(self.clock())) or 0)

    @property
    def daily_key(self) -> str:
        return f"budget:{self.name}:daily"

    @property
    def pause_key(self) -> str:
        return f"budget:{self.name}:paused-until"

    def hour_key(self, now: float) -> str:
        return f"budget:{self.name}:hour:{int(now // HOUR)}"
