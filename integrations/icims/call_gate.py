"""The shared-state checks around one iCIMS call, in as few round trips as they can take.

Before the call, one round trip counts it against the hour and reads the pause, the daily allowance and
the circuit breaker; after it, at most one more records what iCIMS reported (the daily allowance) and,
after a success that follows failures, closes the breaker. Refusals, failures and a half-open breaker's
trial cost more, but they are the rare path: a healthy call costs two round trips at most.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .budget import HOUR_KEY_TTL, CallBudget, Purpose
from .circuit_breaker import CircuitBreaker
from .errors import IcimsError


@dataclass(frozen=True)
class Admission:
    """One admitted call: when it was counted, and whether the breaker had failures a success must clear."""

    counted_at: float | None
    breaker_dirty: bool


class CallGate:
    def __init__(self, *, budget: CallBudget | None, breaker: CircuitBreaker | None) -> None:
        self.budget = budget
        self.breaker = breaker

    def admit(self, purpose: Purpose) -> Admission:
        """Count the call, or raise what refuses it (open breaker, pause, spent budget): one round trip."""
        budget, breaker = self.budget, self.breaker
        if budget is None:  # no budget to count against: the breaker alone, and a success clears it blindly
            if breaker is not None:
                breaker.before_call()
            return Admission(counted_at=None, breaker_dirty=breaker is not None)
        now = budget.clock()
        read = [budget.pause_key, budget.daily_key]
        if breaker is not None:
            read += [breaker.opened_at_key, breaker.failures_key]
        used, values = budget.state.incr_and_get(budget.hour_key(now), ttl=HOUR_KEY_TTL, read=read)
        paused_until, daily, *breaker_values = values
        try:
            if breaker is not None:
                breaker.check(opened_at=breaker_values[0])
            budget.check(purpose, now=now, used=used, paused_until=paused_until, daily=daily)
        except IcimsError:
            budget.refund(now=now)
            raise
        return Admission(counted_at=now, breaker_dirty=any(value is not None for value in breaker_values))

    def refund(self, admission: Admission) -> None:
        """The admitted call never went out (its token could not be had)."""
        if self.budget is not None and admission.counted_at is not None:
            self.budget.refund(now=admission.counted_at)

    def settle(self, admission: Admission, *, headers: Mapping[str, str], succeeded: bool) -> None:
        """After iCIMS answered: at most one round trip, none when there is nothing to record."""
        sets = self.budget.observed(headers) if self.budget is not None else {}
        deletes = self.breaker.keys_cleared_by_success if succeeded and admission.breaker_dirty and self.breaker else []
        if sets or deletes:
            state = self.budget.state if self.budget is not None else self.breaker.state
            state.write_many(sets=sets, deletes=deletes)
