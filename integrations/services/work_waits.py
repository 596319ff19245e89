"""Waiting is not failing: when a webhook event or a write-back must wait for its turn, and how it comes back.

iCIMS asking us to slow down (429, or the daily allowance it reports spent until 00:00 UTC), our own
hourly budget spent, or an open circuit breaker: the work waits, keeps all its attempts, and is
re-queued for the moment it may go on. A paused connection holds its work until it is resumed. Only
real failures (5xx after the transport's retries, timeouts, refusals) cost an attempt.

A short wait is scheduled in the broker as a countdown; a longer one (a pause until midnight) is left
to the sweepers, which re-enqueue a row once its time has come: an ETA message held for hours would
sit in a worker's memory and outlive the Redis visibility timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from integrations.icims.errors import IcimsBudgetExhausted, IcimsCircuitOpen, IcimsError, IcimsRateLimited

# What iCIMS (or our own care for it) asks us to wait for, as opposed to a failure.
WAIT_ERRORS = (IcimsRateLimited, IcimsBudgetExhausted, IcimsCircuitOpen)
DEFAULT_WAIT_SECONDS = 60.0
WAITING_LONG = timedelta(hours=1)  # the admin shows work waiting longer than this as such
PAUSED_REASON = "The connection is paused; it goes on once the connection is resumed."


class ConnectionPaused(Exception):
    """The work's connection is paused: hold the work (no attempt spent) until it is resumed."""

    def __init__(self, message: str = PAUSED_REASON) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Wait:
    reason: str
    until: datetime | None  # None: until the connection is resumed

    @property
    def countdown(self) -> float | None:
        """Seconds to schedule a message for, or None when the sweepers (or a resume) bring it back."""
        if self.until is None:
            return None
        seconds = max(0.0, (self.until - timezone.now()).total_seconds())
        return seconds if seconds <= settings.WAIT_COUNTDOWN_MAX_SECONDS else None


def wait_for(error: BaseException, *, now: datetime | None = None) -> Wait | None:
    """The wait this error asks for, or None when it is a failure (it costs an attempt)."""
    now = now or timezone.now()
    if isinstance(error, ConnectionPaused):
        return Wait(reason=PAUSED_REASON, until=None)
    if not isinstance(error, WAIT_ERRORS):
        return None
    seconds = error.retry_after if error.retry_after and error.retry_after > 0 else DEFAULT_WAIT_SECONDS
    return Wait(reason=_reason(error)[:300], until=now + timedelta(seconds=seconds))


def _reason(error: IcimsError) -> str:
    if isinstance(error, IcimsRateLimited):
        return f"iCIMS asked us to slow down (429): {error.message}"
    if isinstance(error, IcimsBudgetExhausted):
        return f"Call budget spent: {error.message}"
    return f"Circuit breaker open: {error.message}"
