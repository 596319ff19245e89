"""Record the data age of an entity when a sync run ends, for the data age chart (HourlyActivity)."""

from __future__ import annotations

from integrations.models import HourlyActivity
from integrations.services.hourly_activity_record import hourly_activity_record

from ..models import SyncRun


def data_age_record(*, run: SyncRun) -> None:
    """Data age is the time since the last successful run began: nothing older than that is missing.

    A failed or deferred run leaves the age growing from the last success; before any success there is
    no age to draw, so nothing is recorded.
    """
    if run.finished_at is None:
        return
    if run.status == SyncRun.Status.SUCCEEDED:
        fresh_since = run.started_at
    else:
        fresh_since = (
            SyncRun.objects.filter(connection_id=run.connection_id, entity=run.entity, status=SyncRun.Status.SUCCEEDED)
            .values_list("started_at", flat=True)
            .first()
        )
        if fresh_since is None:
            return
    hourly_activity_record(
        connection_id=run.connection_id,
        series=HourlyActivity.Series.DATA_AGE,
        label=run.entity,
        seconds=(run.finished_at - fresh_since).total_seconds(),
        at=run.finished_at,
    )
