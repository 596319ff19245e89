"""The dispatcher: one tick a minute queues the (connection, entity) runs that are due, never twice, skips paused
connections, reads nothing of idle tenants, starts the weekly reconcile, and closes runs whose worker died."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goodtime_icims.celery import app
from integrations.models import Connection
from integrations.services.icims_clients import icims_shared_state
from sync.locks import SyncLock
from sync.models import Entity, SyncRun, SyncState
from sync.services.sync_dispatch_tick import sync_dispatch_tick
from sync.services.sync_states_ensure import sync_states_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _tenant(number: int, *, active: bool = True) -> Connection:
    connection = Connection.objects.create(
        name=f"Tenant {number}",
        customer_id=str(5000 + number),
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="client",
        client_secret="secret-value-123456",
        is_active=active,
    )
    sync_states_ensure(connection=connection)
    return connection


def _queued() -> list[tuple[str, str]]:
    return sorted(SyncRun.objects.filter(status=SyncRun.Status.QUEUED).values_list("connection__customer_id", "entity"))


def test_a_new_connection_is_due_at_once_and_queued_once(django_capture_on_commit_callbacks):
    tenant = _tenant(1)
    with django_capture_on_commit_callbacks() as sent:
        result = sync_dispatch_tick()

    assert result.enqueued == 3 and len(sent) == 1  # one commit sends the tick's messages
    assert _queued() == sorted(("5001", entity) for entity in Entity.values)
    assert sync_dispatch_tick().enqueued == 0  # still queued: not again
    states = SyncState.objects.filter(connection=tenant)
    assert all(state.next_run_at > timezone.now() for state in states)


def test_paused_connections_and_runs_not_yet_due_are_left_alone():
    _tenant(1, active=False)
    later = _tenant(2)
    SyncState.objects.filter(connection=later).update(next_run_at=timezone.now() + timedelta(minutes=3))

    assert sync_dispatch_tick().enqueued == 0
    assert _queued() == []


def test_the_tick_reads_the_same_few_queries_with_10_or_100_idle_tenants():
    def queries_with_idle(count: int) -> int:
        for number in range(count):
            tenant = _tenant(100 + number + 1000 * count)
            SyncState.objects.filter(connection=tenant).update(next_run_at=timezone.now() + timedelta(minutes=4))
        _tenant(9000 + count)  # one tenant due
        with CaptureQueriesContext(db_connection) as queries:
            assert sync_dispatch_tick().enqueued == 3
        return len(queries)

    assert queries_with_idle(10) == queries_with_idle(100)


def test_a_queued_run_becomes_the_running_row_and_its_end_sets_the_next_time(
    sandbox, sandbox_connection, eager_celery, django_capture_on_commit_callbacks, settings
):
    sync_states_ensure(connection=sandbox_connection)
    with django_capture_on_commit_callbacks(execute=True):
        sync_dispatch_tick()

    runs = SyncRun.objects.filter(connection=sandbox_connection)
    assert sorted(runs.values_list("entity", "status")) == sorted(
        (entity, SyncRun.Status.SUCCEEDED) for entity in Entity.values
    )
    for state in SyncState.objects.filter(connection=sandbox_connection):
        run = runs.get(entity=state.entity)
        assert state.next_run_at == run.finished_at + timedelta(seconds=settings.SYNC_INTERVAL_SECONDS)


def test_a_week_after_the_last_full_walk_the_tick_queues_a_reconcile(
    sandbox, sandbox_connection, run_sync, eager_celery, django_capture_on_commit_callbacks
):
    for entity in Entity.values:
        run_sync(entity)
    sandbox.clock.advance(minutes=10)
    SyncState.objects.filter(connection=sandbox_connection).update(
        next_run_at=None, last_full_run_at=timezone.now() - timedelta(days=8)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_dispatch_tick()

    assert result.reconciles == 3
    latest = {entity: SyncRun.objects.filter(entity=entity).latest("started_at") for entity in Entity.values}
    assert {(run.mode, run.status) for run in latest.values()} == {(SyncRun.Mode.RECONCILE, SyncRun.Status.SUCCEEDED)}


def test_a_run_whose_worker_died_is_abandoned_its_lock_freed_and_resumed_from_its_checkpoint(
    sandbox, sandbox_connection, run_sync, settings
):
    sync_states_ensure(connection=sandbox_connection)
    SyncState.objects.filter(connection=sandbox_connection).update(next_run_at=timezone.now() + timedelta(minutes=5))
    SyncState.objects.filter(connection=sandbox_connection, entity=Entity.USERS).update(backfill_checkpoint=7)
    lock = SyncLock(connection_id=sandbox_connection.pk, entity=Entity.USERS)
    assert lock.acquire()  # the dead worker's lock, not yet lapsed
    stale = timezone.now() - timedelta(seconds=settings.SYNC_ABANDON_AFTER_SECONDS + 1)
    dead = SyncRun.objects.create(
        connection=sandbox_connection,
        entity=Entity.USERS,
        mode=SyncRun.Mode.BACKFILL,
        started_at=stale,
        heartbeat_at=stale,
    )
    alive = SyncRun.objects.create(
        connection=sandbox_connection,
        entity=Entity.JOBS,
        mode=SyncRun.Mode.BACKFILL,
        started_at=stale,
        heartbeat_at=timezone.now(),
    )

    result = sync_dispatch_tick()

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (result.abandoned, dead.status, alive.status) == (1, SyncRun.Status.ABANDONED, SyncRun.Status.RUNNING)
    assert icims_shared_state().get(lock.key) is None
    assert _queued() == [("1000", Entity.USERS)]  # due again at once
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.USERS)
    assert state.backfill_checkpoint == 7  # the queued run goes on from there


def test_a_queued_run_whose_message_was_lost_is_abandoned_and_queued_again(settings):
    tenant = _tenant(3)
    sync_dispatch_tick()
    SyncRun.objects.filter(connection=tenant).update(
        started_at=timezone.now() - timedelta(seconds=settings.SYNC_QUEUED_EXPIRE_SECONDS + 1)
    )

    assert sync_dispatch_tick().abandoned == 3
    assert SyncRun.objects.filter(connection=tenant, status=SyncRun.Status.ABANDONED).count() == 3
    assert len(_queued()) == 3


def test_a_tick_sends_one_message_per_slice_of_the_minute_whatever_the_number_of_runs_due(
    eager_celery, django_capture_on_commit_callbacks, settings
):
    from celery.signals import task_prerun

    started: list[str] = []

    def record(sender=None, **kwargs) -> None:
        started.append(sender.name)

    for number in range(40):
        _tenant(number)
    with django_capture_on_commit_callbacks() as sends:
        assert sync_dispatch_tick().enqueued == 120
    Connection.objects.update(is_active=False)  # the runs then end at once, skipped, without calling iCIMS
    task_prerun.connect(record)
    try:
        for send in sends:
            send()
    finally:
        task_prerun.disconnect(record)

    slices = started.count("sync.tasks.sync_runs_publish")
    assert 1 < slices <= -(-settings.SYNC_DISPATCH_JITTER_SECONDS // 5)
    assert started.count("sync.tasks.sync_entity") == 120
    assert set(SyncRun.objects.values_list("status", flat=True)) == {SyncRun.Status.SKIPPED}
