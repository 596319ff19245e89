"""The ledger of iCIMS calls and what the admin shows about a connection's budget."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.icims.transport import CallObserver
from integrations.models import ApiCallLedger, Connection


def _hour_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def api_call_record(
    *,
    connection_id: int,
    purpose: str,
    status: int,
    at: datetime | None = None,
    calls: int = 1,
    failed_calls: int | None = None,
) -> None:
    """Count one call (or `calls` calls, `failed_calls` of them failed: a batch tallied by its caller) in its
    (connection, hour, purpose) bucket, and in `failed_calls` when it failed."""
    hour = _hour_start(at or timezone.now())
    failed = failed_calls if failed_calls is not None else (1 if status == 0 or status >= 400 else 0) * calls
    bucket = ApiCallLedger.objects.filter(connection_id=connection_id, hour=hour, purpose=purpose)
    increment = {"calls": F("calls") + calls, "failed_calls": F("failed_calls") + failed}
    if bucket.update(**increment):
        return
    try:
        with transaction.atomic():
            ApiCallLedger.objects.create(
                connection_id=connection_id, hour=hour, purpose=purpose, calls=calls, failed_calls=failed
            )
    except IntegrityError:  # another worker created the bucket first
        bucket.update(**increment)


def api_call_recorder(*, connection: Connection) -> CallObserver:
    """The observer the iCIMS transport calls after each call (the client itself stays model-free)."""
    connection_id = connection.pk

    def record(purpose: Purpose, status: int, method: str) -> None:
        api_call_record(connection_id=connection_id, purpose=str(purpose), status=status)

    return record


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
    from .icims_clients import icims_call_budget, icims_circuit_breaker  # the factory imports this module

    now = now or timezone.now()
    hour = _hour_start(now)
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
