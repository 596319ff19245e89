"""Store every connection's health (the alerts tick does this once a minute), for the list to read."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import HEALTH_RANK, ConnectionHealth
from ..selectors.connection_health import ConnectionHealthReport
from .platform_webhook_events import connection_health_event_emit


def connection_health_rows_save(*, reports: dict[int, ConnectionHealthReport], now: datetime | None = None) -> int:
    """Upsert one ConnectionHealth row per report in one statement; returns how many."""
    now = now or timezone.now()
    rows = [
        ConnectionHealth(
            connection_id=connection_id,
            state=report.state,
            rank=HEALTH_RANK[report.state],
            reason=report.reason,
            problems=[
                {"kind": problem.kind, "severity": problem.severity, "message": problem.message}
                for problem in report.problems
            ],
            data_as_of=report.data_as_of,
            last_error=report.last_error,
            last_error_at=report.last_error_at,
            calls_today=report.calls_today,
            daily_limit=report.daily_limit,
            daily_remaining=report.daily_remaining,
            checked_at=now,
        )
        for connection_id, report in reports.items()
    ]
    fields = [f.name for f in ConnectionHealth._meta.concrete_fields if not f.primary_key]
    with transaction.atomic():
        previous = dict(
            ConnectionHealth.objects.filter(connection_id__in=list(reports)).values_list("connection_id", "state")
        )
        for connection_id, report in reports.items():
            # A first row is not a change: the platform hears of a connection's health when it moves.
            if previous.get(connection_id, report.state) != report.state:
                connection_health_event_emit(
                    connection_id=connection_id,
                    previous=previous[connection_id],
                    state=report.state,
                    reason=report.reason,
                )
        ConnectionHealth.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["connection"], update_fields=fields, batch_size=500
        )
    return len(rows)
