from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError

from sync.models import Entity, SyncRun, SyncState

pytestmark = pytest.mark.django_db

STARTED = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("done", "total", "shown"),
    [
        (0, None, ""),
        (120, None, "120"),
        (250, 1000, "250/1000 (25%)"),
        (0, 0, "0/0 (100%)"),
    ],
)
def test_a_sync_run_reports_its_progress(done, total, shown, connection):
    run = SyncRun(
        connection=connection,
        entity=Entity.JOBS,
        mode=SyncRun.Mode.BACKFILL,
        started_at=STARTED,
        progress_done=done,
        progress_total=total,
    )
    assert run.progress == shown


def test_a_new_sync_run_is_running_with_zero_counts(connection):
    run = SyncRun.objects.create(
        connection=connection, entity=Entity.CANDIDATES, mode=SyncRun.Mode.INCREMENTAL_SEARCH, started_at=STARTED
    )
    assert run.status == SyncRun.Status.RUNNING
    assert (run.seen_count, run.created_count, run.calls_spent) == (0, 0, 0)


def test_one_connection_and_entity_have_exactly_one_sync_state(connection):
    SyncState.objects.create(connection=connection, entity=Entity.USERS)
    SyncState.objects.create(connection=connection, entity=Entity.JOBS)

    with pytest.raises(IntegrityError):
        SyncState.objects.create(connection=connection, entity=Entity.USERS)
