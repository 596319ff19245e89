"""The dispatcher: one tick a minute sends the sync workers claims for the (connection, entity) runs that are
due, one message whatever their number, never twice for the same due runs; a claim runs the earliest due one;
paused connections are skipped, idle tenants not read, the weekly reconcile started, and runs whose worker
died closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from goodtime_icims.celery import app
from integrations.models import Connection
from integrations.services.icims_clients import icims_shared_state
from sync.locks import SyncLock
from sync.models import Entity, SyncRun, SyncState
from sync.services.sync_dispatch_tick import sync_dispatch_tick
from sync.services.sync_due_claim import CLAIMS_PENDING_KEY, claims_pending, sync_due_claim
from sync.services.sync_runs_enqueue import sync_runs_enqueue_for_connections
from sync.services.sync_states_ensure import sync_states_ensure
from tests.undecryptable import secret_no_key_decrypts

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


def _due() -> list[tuple[str, str]]:
    now = timezone.now()
    return sorted(
        SyncState.objects.filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)).values_list(
            "connection__customer_id", "entity"
        )
    )


def test_a_new_connection_is_due_at_once_and_claimed_once(django_capture_on_commit_callbacks):
    tenant = _tenant(1)
    with django_capture_on_commit_callbacks() as sent:
        result = sync_dispatch_tick()

    assert (result.due, result.claims) == (3, 3)
    assert sync_dispatch_tick().claims == 0  # its claims are still pending: not sent again
    assert _due() == sorted(("5001", entity) for entity in Entity.values)  # the workers claim them, not the tick
    assert sent == []  # no queued rows, no transaction: the tick's one message left at once
    assert SyncRun.objects.filter(connection=tenant).count() == 0


def test_paused_connections_and_runs_not_yet_due_are_left_alone():
    _tenant(1, active=False)
    later = _tenant(2)
    SyncState.objects.filter(connection=later).update(next_run_at=timezone.now() + timedelta(minutes=3))

    assert sync_dispatch_tick().due == 0
    assert sync_due_claim() is None  # a claim finds nothing of theirs either
    assert SyncRun.objects.count() == 0


def test_the_tick_reads_the_same_few_queries_with_10_or_100_idle_tenants():
    def queries_with_idle(count: int) -> int:
        for number in range(count):
            tenant = _tenant(100 + number + 1000 * count)
            SyncState.objects.filter(connection=tenant).update(next_run_at=timezone.now() + timedelta(minutes=4))
        due = _tenant(9000 + count)  # one tenant due
        with CaptureQueriesContext(db_connection) as queries:
            assert sync_dispatch_tick().due == 3
        # as if the workers had claimed and run them
        icims_shared_state().delete(CLAIMS_PENDING_KEY)
        SyncState.objects.filter(connection=due).update(next_run_at=timezone.now() + timedelta(minutes=4))
        return len(queries)

    assert queries_with_idle(10) == queries_with_idle(100)


def test_the_claims_run_the_due_runs_and_their_end_sets_the_next_time(
    sandbox, sandbox_connection, eager_celery, settings
):
    sync_states_ensure(connection=sandbox_connection)
    sync_dispatch_tick()  # eager: the claims are taken at once

    runs = SyncRun.objects.filter(connection=sandbox_connection)
    assert sorted(runs.values_list("entity", "status")) == sorted(
        (entity, SyncRun.Status.SUCCEEDED) for entity in Entity.values
    )
    for state in SyncState.objects.filter(connection=sandbox_connection):
        run = runs.get(entity=state.entity)
        assert state.next_run_at == run.finished_at + timedelta(seconds=settings.SYNC_INTERVAL_SECONDS)
    assert claims_pending() == 0


def test_a_claim_passes_over_a_pair_already_queued_by_sync_now_and_runs_the_next_due_one(sandbox, sandbox_connection):
    tenant = _tenant(4)
    sync_states_ensure(connection=sandbox_connection)
    later = timezone.now() + timedelta(minutes=5)
    SyncState.objects.exclude(connection=tenant, entity=Entity.JOBS).update(next_run_at=later)
    SyncState.objects.filter(connection=tenant, entity=Entity.JOBS).update(next_run_at=None)  # the earliest due
    SyncState.objects.filter(connection=sandbox_connection, entity=Entity.USERS).update(next_run_at=timezone.now())
    queued = SyncRun.objects.create(
        connection=tenant,
        entity=Entity.JOBS,
        mode=SyncRun.Mode.BACKFILL,
        started_at=timezone.now(),
        status=SyncRun.Status.QUEUED,
    )

    run = sync_due_claim()

    assert (run.connection_id, run.entity, run.status) == (
        sandbox_connection.pk,
        Entity.USERS,
        SyncRun.Status.SUCCEEDED,
    )
    assert SyncRun.objects.filter(connection=tenant).get() == queued  # left to its own message, not run twice
    assert _due() == []


def test_a_tenant_whose_secret_cannot_be_decrypted_gets_a_failed_run_saying_so_and_the_next_claim_goes_on(
    sandbox, sandbox_connection
):
    broken = _tenant(5)
    secret_no_key_decrypts(broken)
    sync_states_ensure(connection=sandbox_connection)
    later = timezone.now() + timedelta(minutes=5)
    SyncState.objects.exclude(connection=broken, entity=Entity.JOBS).update(next_run_at=later)
    SyncState.objects.filter(connection=broken, entity=Entity.JOBS).update(next_run_at=None)  # the earliest due
    SyncState.objects.filter(connection=sandbox_connection, entity=Entity.USERS).update(next_run_at=timezone.now())

    failed = sync_due_claim()
    then = sync_due_claim()

    assert (failed.connection_id, failed.entity, failed.status) == (broken.pk, Entity.JOBS, SyncRun.Status.FAILED)
    assert "Cannot decrypt Connection.client_secret" in failed.error
    assert (then.connection_id, then.entity, then.status) == (
        sandbox_connection.pk,
        Entity.USERS,
        SyncRun.Status.SUCCEEDED,
    )


def test_a_week_after_the_last_full_walk_the_claim_runs_a_reconcile(
    sandbox, sandbox_connection, run_sync, eager_celery
):
    for entity in Entity.values:
        run_sync(entity)
    sandbox.clock.advance(minutes=10)
    SyncState.objects.filter(connection=sandbox_connection).update(
        next_run_at=None, last_full_run_at=timezone.now() - timedelta(days=8)
    )
    assert sync_dispatch_tick().claims == 3

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
    assert _due() == [("1000", Entity.USERS)]  # due again at once
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.USERS)
    assert state.backfill_checkpoint == 7  # the next run goes on from there


def test_a_queued_run_whose_message_was_lost_is_abandoned_and_due_again(settings):
    tenant = _tenant(3)
    SyncState.objects.filter(connection=tenant).update(next_run_at=timezone.now() + timedelta(minutes=5))
    sync_runs_enqueue_for_connections(connections=[tenant])  # "Sync now"
    SyncRun.objects.filter(connection=tenant).update(
        started_at=timezone.now() - timedelta(seconds=settings.SYNC_QUEUED_EXPIRE_SECONDS + 1)
    )

    assert sync_dispatch_tick().abandoned == 3
    assert SyncRun.objects.filter(connection=tenant, status=SyncRun.Status.ABANDONED).count() == 3
    assert len(_due()) == 3


def test_a_tick_sends_one_message_whatever_the_number_of_runs_due_and_the_claims_leave_in_slices(
    eager_celery, settings
):
    from celery.signals import task_prerun

    started: list[str] = []

    def record(sender=None, **kwargs) -> None:
        started.append(sender.name)

    tenants = [_tenant(number) for number in range(40)]
    # Every pair already has a "Sync now" run queued, so each claim passes over it and calls no iCIMS.
    sync_runs_enqueue_for_connections(connections=tenants)
    task_prerun.connect(record)
    try:
        result = sync_dispatch_tick()
    finally:
        task_prerun.disconnect(record)

    assert (result.due, result.claims) == (120, 120)
    slices = started.count("sync.tasks.sync_claims_release")
    # the tick's one message releases the first slice and sends the next, and so on: a message per slice
    assert 1 < slices <= -(-settings.SYNC_DISPATCH_JITTER_SECONDS // 5)
    assert started.count("sync.tasks.sync_due_claim") == 120
    assert _due() == []  # every due state claimed (and passed over: its own run is queued)
    assert set(SyncRun.objects.values_list("status", flat=True)) == {SyncRun.Status.QUEUED}
