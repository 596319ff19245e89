"""Add one observation to a connection's hourly rollup (HourlyActivity): what the charts and /metrics read."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from integrations.models import HourlyActivity

logger = logging.getLogger(__name__)


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hourly_activity_record(
    *, connection_id: int, series: str, label: str, seconds: float = 0.0, at: datetime | None = None
) -> None:
    """Count one event in its hour's bucket, with the duration it took (latency, data age), if any.

    A rollup is a view of facts kept elsewhere: failing to write one must never fail the work it
    describes, so database errors are logged and swallowed (inside a savepoint, so the caller's
    transaction stays usable).
    """
    hourly_activity_record_many(connection_id=connection_id, series=series, label=label, durations=[seconds], at=at)


def hourly_activity_record_many(
    *, connection_id: int, series: str, label: str, durations: list[float], at: datetime | None = None
) -> None:
    """Count several events of one bucket at once (a batch a worker finished together): one write."""
    if not durations:
        return
    hour = hour_start(at or timezone.now())
    bucket = {"connection_id": connection_id, "series": series, "label": label, "hour": hour}
    durations = [max(0.0, float(seconds)) for seconds in durations]
    count, seconds, longest = len(durations), sum(durations), max(durations)
    increment = {
        "count": F("count") + count,
        "total_seconds": F("total_seconds") + seconds,
        "max_seconds": Greatest(F("max_seconds"), longest),
    }
    try:
        with transaction.atomic():
            if HourlyActivity.objects.filter(**bucket).update(**increment):
                return
            try:
                with transaction.atomic():
                    HourlyActivity.objects.create(**bucket, count=count, total_seconds=seconds, max_seconds=longest)
            except IntegrityError:  # another worker opened the bucket between our update and our insert
                HourlyActivity.objects.filter(**bucket).update(**increment)
    except DatabaseError:
        logger.exception("Could not record %s/%s for connection %s", series, label, connection_id)
