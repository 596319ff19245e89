"""What the admin shows about a connection's iCIMS calls: the ledger's totals, the allowance, pause and breaker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.models import ApiCallLedger, Connection
from integrations.services.api_usage import hour_start
from integrations.services.icims_clients import icims_call_budget, icims_circuit_breaker


@dataclass(frozen=True)
class ApiUsageSummary:
    hourly_budget: int
    calls_this_hour: dict[str, int] = field(default_factory=dict)
    calls_today: dict[str, int] = field(default_factory=dict)
    failed_today: int = 0
    daily_limit: int | None = None
    daily_remaining: int | None = None
    daily_reset_at: datetime | None = None
    paused_until: datetime | None = None
    breaker_state: str = "closed"
    breaker_retry_at: datetime | None = None

    @property
    def total_this_hour(self) -> int:
        return sum(self.calls_this_hour.values())

    @property
    def total_today(self) -> int:
        return sum(self.calls_today.values())


def _by_purpose(rows) -> dict[str, int]:
    totals = {purpose.value: 0 for purpose in Purpose}
    for row in rows:
        totals[row["purpose"]] = row["total"]
    return totals


def _moment(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, tz=UTC)


def api_usage_summary(*, connection: Connection, now: datetime | None = None) -> ApiUsageSummary:
    """Calls this hour and today by purpose, the daily allowance iCIMS reported, pause and breaker."""
    now = now or timezone.now()
    hour = hour_start(now)
    day = hour.replace(hour=0)
    ledger = ApiCallLedger.objects.filter(connection=connection)
    this_hour = ledger.filter(hour=hour).values("purpose").annotate(total=Sum("calls"))
    today = ledger.filter(hour__gte=day, hour__lt=day + timedelta(days=1))
    budget = icims_call_budget(connection=connection)
    breaker = icims_circuit_breaker(connection=connection)
    daily = budget.daily_allowance() or {}
    breaker_state = breaker.status()
    return ApiUsageSummary(
        hourly_budget=connection.hourly_call_budget,
        calls_this_hour=_by_purpose(this_hour),
        calls_today=_by_purpose(today.values("purpose").annotate(total=Sum("calls"))),
        failed_today=today.aggregate(total=Sum("failed_calls"))["total"] or 0,
        daily_limit=daily.get("limit"),
        daily_remaining=daily.get("remaining"),
        daily_reset_at=_moment(daily.get("reset_at")),
        paused_until=_moment(budget.paused_until()),
        breaker_state=breaker_state,
        breaker_retry_at=None if breaker_state == "closed" else now + timedelta(seconds=breaker.seconds_until_trial()),
    )
