"""Never two syncs of one connection and entity at once: a beat tick during a run is skipped, not queued."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings

from integrations.services.icims_clients import icims_shared_state
from sync.locks import SyncLock, SyncLockLost
from sync.models import Candidate, Entity, SyncRun
from sync.shared_reads import group_lock_name
from sync.tasks import sync_entity

pytestmark = pytest.mark.django_db


def test_a_beat_tick_during_a_run_is_skipped_and_recorded(
    sandbox, sandbox_connection, run_sync, fake_time, in_scope, mirrored
):
    ticks = []

    def second_tick_arrives() -> None:  # while the first run backs off a 503 for a moment, the beat fires again
        if not ticks:
            ticks.append(sync_entity(sandbox_connection.pk, Entity.CANDIDATES))

    fake_time.on_sleep = second_tick_arrives
    sandbox.faults.inject("error", count=1, path=r"/people/\d+$")

    first = run_sync(Entity.CANDIDATES)

    skipped = SyncRun.objects.get(pk=ticks[0])
    assert (skipped.status, skipped.error) == (
        SyncRun.Status.SKIPPED,
        "Another sync of this connection and entity is running.",
    )
    assert first.status == SyncRun.Status.SUCCEEDED
    assert SyncRun.objects.filter(entity=Entity.CANDIDATES).count() == 2
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)
    assert Candidate.objects.count() == len(in_scope(Entity.CANDIDATES))


def test_the_lock_is_free_again_after_a_run_even_a_failed_one(sandbox, run_sync):
    sandbox.faults.inject("error", count=10_000, path=r"/search/")
    assert run_sync(Entity.JOBS).status == SyncRun.Status.FAILED
    sandbox.faults.clear()
    assert run_sync(Entity.JOBS).status == SyncRun.Status.SUCCEEDED


def test_a_paused_connection_is_not_synced(sandbox_connection, run_sync):
    sandbox_connection.is_active = False
    sandbox_connection.save()
    run = run_sync(Entity.JOBS)
    assert (run.status, run.error) == (SyncRun.Status.SKIPPED, "The connection is paused.")


def test_a_dead_workers_lock_expires_after_its_time_to_live():
    now = [0.0]
    dead = SyncLock(connection_id=1, entity="jobs", ttl=0.2, clock=lambda: now[0])
    assert dead.acquire()
    assert not SyncLock(connection_id=1, entity="jobs").acquire()
    time.sleep(0.3)  # the dead worker sends no heartbeat
    successor = SyncLock(connection_id=1, entity="jobs")
    assert successor.acquire()
    now[0] = 100.0
    with pytest.raises(SyncLockLost):
        dead.heartbeat()
    successor.release()
    assert icims_shared_state().get(successor.key) is None


def test_a_heartbeat_keeps_a_long_run_locked():
    lock = SyncLock(connection_id=2, entity="users", ttl=0.3)
    assert lock.acquire()
    for _ in range(4):
        time.sleep(0.1)
        lock.heartbeat(force=True)
    assert not SyncLock(connection_id=2, entity="users").acquire()
    lock.release()


@pytest.mark.redis
def test_two_workers_racing_for_the_lock_on_redis_get_one_run():
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    start_together = threading.Barrier(8)
    won = []

    def worker() -> None:
        lock = SyncLock(connection_id=3, entity="candidates")
        start_together.wait()
        if lock.acquire():
            won.append(lock)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    won[0].release()


def test_a_lock_that_expired_unclaimed_is_taken_again_by_its_heartbeat():
    lock = SyncLock(connection_id=4, entity="jobs", ttl=0.2)
    assert lock.acquire()
    time.sleep(0.3)  # a batch slower than the time-to-live; nobody else came
    lock.heartbeat(force=True)
    assert not SyncLock(connection_id=4, entity="jobs").acquire()
    lock.release()


def test_a_shared_read_longer_than_the_locks_time_to_live_keeps_other_readers_out(
    sandbox, sandbox_connection, run_sync, in_scope, monkeypatch
):
    for entity in Entity.values:
        assert run_sync(entity).status == SyncRun.Status.SUCCEEDED
    sandbox.clock.advance(minutes=5)
    for person_id in sorted(in_scope(Entity.CANDIDATES))[:12]:  # events to read, then a GET each
        sandbox.update_person(person_id, lastname="Slow read")
    ttl = 0.6
    monkeypatch.setattr("sync.locks.LOCK_TTL_SECONDS", ttl)
    group_lock = group_lock_name(mode=SyncRun.Mode.INCREMENTAL_STREAM, entity=Entity.CANDIDATES)
    handle, began, others_got_in = sandbox.handle, [], []

    def slow_icims(method, url, *args, **kwargs):  # each call takes a tenth of a second: the read outlasts the ttl
        time.sleep(0.1)
        began.append(began[0] if began else time.monotonic())
        if time.monotonic() - began[0] > 1.5 * ttl:  # another worker tries to start the same read now
            intruder = SyncLock(connection_id=sandbox_connection.pk, entity=group_lock)
            others_got_in.append(intruder.acquire())
            intruder.release()
        return handle(method, url, *args, **kwargs)

    monkeypatch.setattr(sandbox, "handle", slow_icims)

    run = run_sync(Entity.CANDIDATES)

    assert (run.mode, run.status) == (SyncRun.Mode.INCREMENTAL_STREAM, SyncRun.Status.SUCCEEDED)
    assert Candidate.objects.filter(lastname="Slow read").count() == 12
    assert others_got_in and not any(others_got_in)
    assert icims_shared_state().get(SyncLock(connection_id=sandbox_connection.pk, entity=group_lock).key) is None
