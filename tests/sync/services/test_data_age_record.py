"""Each sync run that ends records the entity's data age in the hourly rollup, for the data age chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.models import HourlyActivity
from sync.models import SyncRun
from sync.services.data_age_record import data_age_record

STARTED = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def _run(connection, *, status, started, seconds=30):
    return SyncRun.objects.create(
        connection=connection,
        entity="jobs",
        mode=SyncRun.Mode.INCREMENTAL_SEARCH,
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=seconds),
    )


def test_a_successful_run_records_the_age_of_what_it_just_read(connection):
    data_age_record(run=_run(connection, status=SyncRun.Status.SUCCEEDED, started=STARTED))

    row = HourlyActivity.objects.get(series=HourlyActivity.Series.DATA_AGE)
    assert (row.label, row.count, row.max_seconds) == ("jobs", 1, 30)


def test_a_failed_run_records_the_age_growing_since_the_last_success(connection):
    _run(connection, status=SyncRun.Status.SUCCEEDED, started=STARTED)
    failed = _run(connection, status=SyncRun.Status.FAILED, started=STARTED + timedelta(minutes=20), seconds=60)

    data_age_record(run=failed)

    assert HourlyActivity.objects.get().max_seconds == 21 * 60


def test_before_any_success_there_is_no_age_to_record(connection):
    data_age_record(run=_run(connection, status=SyncRun.Status.FAILED, started=STARTED))

    assert not HourlyActivity.objects.exists()


def test_the_sync_engine_records_data_age_when_a_run_ends(run_sync):
    run = run_sync("jobs")

    assert run.status == SyncRun.Status.SUCCEEDED
    row = HourlyActivity.objects.get(series=HourlyActivity.Series.DATA_AGE)
    assert row.label == "jobs"
    assert row.max_seconds == (run.finished_at - run.started_at).total_seconds()
