"""The sandbox's own time: real UTC by default, frozen or shifted by tests and the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    def __init__(self, now: datetime | None = None):
        self._frozen = now.astimezone(UTC) if now is not None else None
        self._offset = timedelta()

    def now(self) -> datetime:
        if self._frozen is not None:
            return self._frozen
        return datetime.now(UTC) + self._offset

    def epoch(self) -> int:
        return int(self.now().timestamp())

    def set(self, moment: datetime) -> None:
        """Stop the clock at `moment` (aware; naive means UTC); it moves only when advanced."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        self._frozen = moment.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        step = (delta or timedelta()) + timedelta(**units)
        if self._frozen is not None:
            self._frozen += step
        else:
            self._offset += step
        return self.now()

    def seconds_until_midnight(self) -> int:
        now = self.now()
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return int((midnight - now).total_seconds())
