"""The admin's forecast of a pending backfill: how far it is and when it should end at the tenant's allowance."""

from __future__ import annotations

import pytest

from sync.models import Entity, SyncState
from sync.selectors import connection_sync_overview, walk_forecast

pytestmark = pytest.mark.django_db


def test_a_walk_two_fifths_done_says_how_many_days_are_left_at_the_allowance(connection):
    state = SyncState(
        connection=connection,
        entity=Entity.CANDIDATES,
        backfill_checkpoint=5,
        backfill_total=100_000,
        backfill_done=41_000,
    )
    # 59,000 GETs and 59 searches left at 9,000 calls a day.
    assert walk_forecast(state=state, daily_calls=9_000) == "41% — about 7 days at 9,000 calls a day"
    assert walk_forecast(state=state, daily_calls=1_000_000) == "41% — about an hour at 1,000,000 calls a day"


def test_no_forecast_without_a_pending_walk_and_a_count_before_it_is_known(connection):
    assert walk_forecast(state=SyncState(connection=connection, entity=Entity.JOBS), daily_calls=10_000) == ""
    counting = SyncState(connection=connection, entity=Entity.JOBS, backfill_checkpoint=0)
    assert walk_forecast(state=counting, daily_calls=10_000) == "starting: counting the records in scope"


def test_the_overview_shows_a_pending_walks_forecast_at_the_default_allowance(connection):
    SyncState.objects.create(
        connection=connection, entity=Entity.JOBS, backfill_checkpoint=9, backfill_total=1_000, backfill_done=500
    )
    jobs = next(
        entity for entity in connection_sync_overview(connection=connection).entities if entity.entity == "jobs"
    )
    assert jobs.walk_progress == "50% — about an hour at 10,000 calls a day"
