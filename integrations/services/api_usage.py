"""The ledger of iCIMS calls: each call counted in its (connection, hour, purpose) bucket."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.icims.transport import CallObserver
from integrations.models import ApiCallLedger, Connection


def hour_start(moment: datetime) -> datetime:
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
    hour = hour_start(at or timezone.now())
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
