"""Queued runs: a row per (connection, entity) the admin shows as queued, never two at once, spread by tenant."""

from __future__ import annotations

import pytest

from integrations.models import Connection
from sync.models import Entity, SyncRun, SyncState
from sync.services.sync_runs_enqueue import jitter_seconds, sync_runs_enqueue, sync_runs_enqueue_for_connections

pytestmark = pytest.mark.django_db


def test_connections_get_their_states_and_a_queued_run_per_entity(connection):
    runs = sync_runs_enqueue_for_connections(connections=[connection])

    assert sorted((run.entity, run.status) for run in runs) == sorted(
        (entity, SyncRun.Status.QUEUED) for entity in Entity.values
    )
    assert SyncState.objects.filter(connection=connection).count() == 3


def test_a_pair_already_queued_or_running_is_not_queued_again(connection):
    sync_runs_enqueue_for_connections(connections=[connection], entities=[Entity.JOBS])
    SyncRun.objects.filter(entity=Entity.JOBS).update(status=SyncRun.Status.RUNNING)

    again = sync_runs_enqueue_for_connections(connections=[connection])

    assert sorted(run.entity for run in again) == sorted([Entity.CANDIDATES, Entity.USERS])
    assert sync_runs_enqueue(states=SyncState.objects.select_related("connection")) == []


def test_paused_connections_are_not_queued(connection):
    Connection.objects.filter(pk=connection.pk).update(is_active=False)
    connection.refresh_from_db()

    assert sync_runs_enqueue_for_connections(connections=[connection]) == []


def test_a_full_request_is_queued_as_a_reconcile(connection):
    runs = sync_runs_enqueue_for_connections(connections=[connection], entities=[Entity.USERS], full=True)

    assert [run.mode for run in runs] == [SyncRun.Mode.RECONCILE]


def test_jitter_spreads_tenants_over_the_minute_and_is_stable():
    offsets = [jitter_seconds(connection_id=pk, spread=55) for pk in range(1, 201)]

    assert all(0 <= offset < 55 for offset in offsets)
    assert len(set(offsets)) > 40  # not all on the same second
    assert offsets == [jitter_seconds(connection_id=pk, spread=55) for pk in range(1, 201)]
    assert jitter_seconds(connection_id=7, spread=0) == 0
