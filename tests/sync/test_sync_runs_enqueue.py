"""Queued runs ("Sync now"): a row per (connection, entity) the admin shows as queued, never two at once; the
dispatcher's claims spread over the minute."""

from __future__ import annotations

import pytest

from integrations.models import Connection
from sync.models import Entity, SyncRun, SyncState
from sync.services.sync_due_claim import slice_counts
from sync.services.sync_runs_enqueue import sync_runs_enqueue, sync_runs_enqueue_for_connections

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


def test_claims_are_spread_evenly_over_the_slices_of_the_minute():
    assert slice_counts(claims=120, spread_seconds=55) == [11] * 10 + [10]
    assert slice_counts(claims=3, spread_seconds=55) == [1, 1, 1]  # never an empty slice
    assert slice_counts(claims=7, spread_seconds=0) == [7]


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
