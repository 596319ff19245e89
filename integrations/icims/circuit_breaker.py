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
        self._failures = f"breaker:{name}:failures"
        self._opened_at = f"breaker:{name}:opened-at"
        self._trial = f"breaker:{name}:trial"

    def status(self) -> str:
        opened_at = self.state.get(self._opened_at)
        if opened_at is None:
            return CLOSED
        return OPEN if self.clock() < float(opened_at) + self.cooldown else HALF_OPEN

    def seconds_until_trial(self) -> float:
        opened_at = self.state.get(self._opened_at)
        return 0.0 if opened_at is None else max(0.0, float(opened_at) + self.cooldown - self.clock())

    def before_call(self) -> None:
        """Raise IcimsCircuitOpen unless a call may go out now."""
        status = self.status()
        if status == CLOSED:
            return
        # Half-open: exactly one worker gets the trial call; it has one cool-down to report back.
        if status == HALF_OPEN and self.state.add(self._trial, "1", ttl=self.cooldown):
            return
        raise IcimsCircuitOpen(
            f"iCIMS calls for this connection are paused after {self.threshold} failures in a row",
            retry_after=self.seconds_until_trial() or self.cooldown,
        )

    def record_success(self) -> None:
        if self.state.get(self._failures) is not None or self.state.get(self._opened_at) is not None:
            self.state.delete(self._failures)
            self.state.delete(self._opened_at)
            self.state.delete(self._trial)

    def record_failure(self) -> None:
        failures = self.state.incr(self._failures, ttl=FAILURES_TTL)
        if failures >= self.threshold or self.status() != CLOSED:
            # Kept long enough to be seen as open, then half-open, until a success deletes it.
            self.state.set(self._opened_at, str(self.clock()), ttl=FAILURES_TTL + self.cooldown)
            self.state.delete(self._trial)
