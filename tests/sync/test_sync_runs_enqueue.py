"""Queued runs: a row per (connection, entity) the admin shows as queued, never two at once, spread by tenant."""

from __future__ import annotations

import pytest

from integrations.models import Connection
from sync.models import Entity, SyncRun, SyncState
from sync.services.sync_runs_enqueue import jitter_seconds, sync_runs_enqueue, sync_runs_enqueue_for_connections

pytestmark = pytest.mark.django_db


def test_connections_get_their_states_and_a_queued_run_per_entity(connection):
    runs = sync_runs_enqueue_for_connections(connections=[connection])

    rows = SyncRun.objects.filter(pk__in=[run.pk for run in runs])
    assert sorted(rows.values_list("entity", "status", "mode")) == sorted(
        (entity, SyncRun.Status.QUEUED, SyncRun.Mode.BACKFILL) for entity in Entity.values
    )
    assert SyncState.objects.filter(connection=connection).count() == 3


def test_a_pair_already_queued_or_running_is_not_queued_again(connection):
    sync_runs_enqueue_for_connections(connections=[connection], entities=[Entity.JOBS])
    SyncRun.objects.filter(entity=Entity.JOBS).update(status=SyncRun.Status.RUNNING)

    again = sync_runs_enqueue_for_connections(connections=[connection])

    assert sorted(run.entity for run in again) == sorted([Entity.CANDIDATES, Entity.USERS])
    assert sync_runs_enqueue(state_ids=SyncState.objects.values_list("pk", flat=True)) == []


def test_paused_connections_are_not_queued(connection):
    Connection.objects.filter(pk=connection.pk).update(is_active=False)
    connection.refresh_from_db()

    assert sync_runs_enqueue_for_connections(connections=[connection]) == []


def test_a_full_request_is_queued_as_a_reconcile_once_the_first_walk_is_done(connection):
    sync_runs_enqueue_for_connections(connections=[connection], entities=[])  # the states, nothing queued
    SyncState.objects.filter(entity=Entity.JOBS).update(last_full_run_at="2026-11-01T00:00Z")

    runs = {run.entity: run.mode for run in sync_runs_enqueue_for_connections(connections=[connection], full=True)}

    assert runs[Entity.JOBS] == SyncRun.Mode.RECONCILE
    assert runs[Entity.USERS] == SyncRun.Mode.BACKFILL  # its first walk is the backfill


def test_jitter_spreads_tenants_over_the_minute_and_is_stable():
    offsets = [jitter_seconds(connection_id=pk, spread=55) for pk in range(1, 201)]

    assert all(0 <= offset < 55 for offset in offsets)
    assert len(set(offsets)) > 40  # not all on the same second
    assert offsets == [jitter_seconds(connection_id=pk, spread=55) for pk in range(1, 201)]
    assert jitter_seconds(connection_id=7, spread=0) == 0


def test_the_queued_mode_is_the_one_the_run_will_most_likely_take(connection):
    states = SyncState.objects.filter(connection=connection)
    sync_runs_enqueue_for_connections(connections=[connection], entities=[])  # the states, nothing queued
    states.filter(entity=Entity.JOBS).update(last_full_run_at="2026-11-01T00:00Z")
    states.filter(entity=Entity.USERS).update(last_full_run_at="2026-11-01T00:00Z", backfill_checkpoint=12)

    runs = {run.entity: run.mode for run in sync_runs_enqueue(state_ids=states.values_list("pk", flat=True))}

    assert runs == {
        Entity.JOBS: SyncRun.Mode.INCREMENTAL_STREAM,  # the connection has a StreamId
        Entity.USERS: SyncRun.Mode.RECONCILE,  # a walk to resume
        Entity.CANDIDATES: SyncRun.Mode.BACKFILL,  # never walked
    }
