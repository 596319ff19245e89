"""A circuit breaker per connection, shared by every worker.

After `threshold` consecutive retryable failures (5xx, timeouts, unreachable) the circuit opens:
calls fail fast with IcimsCircuitOpen for `cooldown` seconds instead of tying up workers on a dead
tenant. Then one trial call is let through (half-open); its success closes the circuit, its failure
opens it again for another cool-down.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .errors import IcimsCircuitOpen
from .shared_state import SharedState

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"
FAILURES_TTL = 3600


class CircuitBreaker:
    def __init__(
        self,
        *,
        state: SharedState,
        name: str,
        threshold: int = 5,
        cooldown: float = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.threshold = threshold
        self.cooldown = cooldown
        self.clock = clock
        self.failures_key = f"breaker:{name}:failures"
        self.opened_at_key = f"breaker:{name}:opened-at"
        self.trial_key = f"breaker:{name}:trial"

    def status(self) -> str:
        return self._status_from(self.state.get(self.opened_at_key))

    def seconds_until_trial(self) -> float:
        return self._wait_from(self.state.get(self.opened_at_key))

    def _status_from(self, opened_at: str | None) -> str:
        if opened_at is None:
            return CLOSED
        return OPEN if self.clock() < float(opened_at) + self.cooldown else HALF_OPEN

    def _wait_from(self, opened_at: str | None) -> float:
        return 0.0 if opened_at is None else max(0.0, float(opened_at) + self.cooldown - self.clock())

    def before_call(self) -> None:
        """Raise IcimsCircuitOpen unless a call may go out now."""
        self.check(opened_at=self.state.get(self.opened_at_key))

    def check(self, *, opened_at: str | None) -> None:
        """`before_call` given the opened-at value already read from the shared state."""
        status = self._status_from(opened_at)
        if status == CLOSED:
            return
        # Half-open: exactly one worker gets the trial call; it has one cool-down to report back.
        if status == HALF_OPEN and self.state.add(self.trial_key, "1", ttl=self.cooldown):
            return
        raise IcimsCircuitOpen(
            f"iCIMS calls for this connection are paused after {self.threshold} failures in a row",
            retry_after=self._wait_from(opened_at) or self.cooldown,
        )

    def record_success(self) -> None:
        if self.state.get(self.failures_key) is not None or self.state.get(self.opened_at_key) is not None:
            self.state.write_many(sets={}, deletes=self.keys_cleared_by_success)

    @property
    def keys_cleared_by_success(self) -> list[str]:
        return [self.failures_key, self.opened_at_key, self.trial_key]

    def record_failure(self, *, weight: int = 1) -> None:
        """One more failure in a row; `weight` > 1 for a failure that cost more (a timed-out call)."""
        failures = self.state.incr(self.failures_key, amount=weight, ttl=FAILURES_TTL)
        if failures >= self.threshold or self.status() != CLOSED:
            # Kept long enough to be seen as open, then half-open, until a success deletes it.
            self.state.set(self.opened_at_key, str(self.clock()), ttl=FAILURES_TTL + self.cooldown)
            self.state.delete(self.trial_key)
