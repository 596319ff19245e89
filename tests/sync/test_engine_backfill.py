"""Backfill and reconcile against the sandbox: the mirror holds exactly what is in scope, a walk cut short
resumes from its checkpoint, and only a clean walk marks what it did not see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection
from sync.mapping import JOB_FIELDS, PERSON_FIELDS
from sync.models import Candidate, Entity, Job, ScopeState, SyncRun, SyncState

pytestmark = pytest.mark.django_db


def test_a_first_sync_mirrors_exactly_the_records_in_scope(run_sync, in_scope, mirrored, sandbox_connection):
    for entity in Entity.values:
        run = run_sync(entity)
        assert (run.mode, run.status, run.error) == (SyncRun.Mode.BACKFILL, SyncRun.Status.SUCCEEDED, "")
        assert mirrored(entity) == in_scope(entity)
        assert run.created_count == len(in_scope(entity))
        assert run.progress_done == run.seen_count == len(in_scope(entity))
        state = SyncState.objects.get(connection=sandbox_connection, entity=entity)
        assert state.backfill_checkpoint is None and state.last_full_run_at is not None
    assert in_scope(Entity.CANDIDATES) and in_scope(Entity.USERS) and in_scope(Entity.JOBS)


def test_profile_gets_ask_only_for_the_fields_the_mirror_keeps(run_sync):
    run_sync(Entity.CANDIDATES)
    run_sync(Entity.JOBS)
    kept = {"links"}
    assert set().union(*Candidate.objects.values_list("raw", flat=True)) <= set(PERSON_FIELDS) | kept
    assert set().union(*Job.objects.values_list("raw", flat=True)) <= set(JOB_FIELDS) | kept


def test_several_gets_in_flight_mirror_the_same_records_in_order(sandbox, run_sync, in_scope, mirrored):
    gone = min(in_scope(Entity.CANDIDATES))
    sandbox.faults.inject("error", count=3, path=r"/people/\d+$")
    run = run_sync(Entity.CANDIDATES, fetch_concurrency=4, write_batch_size=40)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)
    assert run.created_count == len(in_scope(Entity.CANDIDATES)) and gone in mirrored(Entity.CANDIDATES)


def test_initial_sync_is_ticked_once_all_three_entities_have_backfilled(run_sync, sandbox_connection):
    run_sync(Entity.JOBS)
    run_sync(Entity.CANDIDATES)
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.initial_sync_done_at is None
    run_sync(Entity.USERS)
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.initial_sync_done_at is not None


def test_a_backfill_spends_one_profile_call_per_record_and_a_search_per_window_and_thousand(
    run_sync, in_scope, sandbox_connection
):
    run = run_sync(Entity.CANDIDATES)
    # One count page, then about eighteen windows (an hour, two, four, ... 3.7 years, the rest, the walk's own time).
    assert len(in_scope(Entity.CANDIDATES)) < run.calls_spent <= len(in_scope(Entity.CANDIDATES)) + 20
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES)
    assert state.backfill_total == state.backfill_done == len(in_scope(Entity.CANDIDATES)) == run.progress_total


def newest_first(sandbox, ids) -> list[int]:
    return sorted(ids, key=lambda person_id: sandbox.people[person_id].updated, reverse=True)


def test_a_backfill_walks_the_most_recently_updated_records_first(
    sandbox, run_sync, in_scope, mirrored, sandbox_connection
):
    wanted = newest_first(sandbox, in_scope(Entity.CANDIDATES))
    sandbox_connection.hourly_call_budget = 60  # sync may spend 48 calls: a third of the walk
    sandbox_connection.save()

    assert run_sync(Entity.CANDIDATES, write_batch_size=10).status == SyncRun.Status.DEFERRED

    done = mirrored(Entity.CANDIDATES)
    assert 10 <= len(done) < len(wanted)
    ranks = sorted(wanted.index(person_id) for person_id in done)
    # Windows page by id, so the order within one is not by date; across windows it is.
    assert sum(ranks) / len(ranks) < len(wanted) / 4
    assert wanted[0] in done


def test_a_record_updated_during_the_walk_is_walked_in_the_last_window(
    sandbox, run_sync, in_scope, mirrored, sandbox_connection, fake_time
):
    oldest = newest_first(sandbox, in_scope(Entity.CANDIDATES))[-1]
    sandbox_connection.hourly_call_budget = 60
    sandbox_connection.save()
    run_sync(Entity.CANDIDATES, write_batch_size=10)
    assert oldest not in mirrored(Entity.CANDIDATES)
    sandbox.update_person(oldest, lastname="Moved up")  # out of the old window it was due in
    sandbox.clock.advance(minutes=7)

    sandbox_connection.hourly_call_budget = 80_000
    sandbox_connection.save()
    fake_time.now += 3600
    resumed = run_sync(Entity.CANDIDATES, write_batch_size=10)

    assert resumed.status == SyncRun.Status.SUCCEEDED
    assert Candidate.objects.get(icims_id=oldest).lastname == "Moved up"
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)


def test_records_changed_just_after_or_just_before_their_window_is_walked_are_never_marked_left_scope(
    sandbox, run_sync, in_scope, sandbox_connection, fake_time
):
    assert run_sync(Entity.CANDIDATES).status == SyncRun.Status.SUCCEEDED
    sandbox.clock.advance(minutes=30)
    fake_time.now += 3600
    sandbox_connection.hourly_call_budget = 60  # the reconcile takes several runs, an hour apart
    sandbox_connection.save()
    reconcile = run_sync(Entity.CANDIDATES, full=True, write_batch_size=10)
    assert (reconcile.mode, reconcile.status) == (SyncRun.Mode.RECONCILE, SyncRun.Status.DEFERRED)
    began = SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES).backfill_started_at
    walked = list(Candidate.objects.filter(seen_at__gte=began).values_list("icims_id", flat=True)[:3])
    not_yet = list(Candidate.objects.filter(seen_at__lt=began).values_list("icims_id", flat=True)[:3])
    changed = [*walked, *not_yet]
    for person_id in changed:  # still in the index's old version while the walk goes on (6 minutes)
        sandbox.update_person(person_id, lastname="Changed mid-walk")
    runs = [reconcile]
    while runs[-1].status == SyncRun.Status.DEFERRED:
        sandbox.clock.advance(minutes=1)
        fake_time.now += 3600
        runs.append(run_sync(Entity.CANDIDATES, write_batch_size=10))

    assert runs[-1].status == SyncRun.Status.SUCCEEDED and len(changed) == 6
    assert sum(run.left_scope_count for run in runs) == 0
    assert set(Candidate.objects.filter(icims_id__in=changed).values_list("scope_state", flat=True)) == {
        ScopeState.IN_SCOPE
    }
    sandbox.clock.advance(minutes=10)  # every change is searchable: the next incremental run has them all
    assert run_sync(Entity.CANDIDATES).mode == SyncRun.Mode.INCREMENTAL_STREAM
    assert set(Candidate.objects.filter(icims_id__in=changed).values_list("lastname", flat=True)) == {
        "Changed mid-walk"
    }
    assert Candidate.objects.filter(scope_state=ScopeState.IN_SCOPE).count() == len(in_scope(Entity.CANDIDATES))


def test_a_worker_killed_mid_backfill_resumes_from_its_checkpoint(
    sandbox, run_sync, in_scope, mirrored, sandbox_connection
):
    wanted = set(in_scope(Entity.CANDIDATES))
    victim = newest_first(sandbox, wanted)[-1]  # walked last: the batches before it are committed
    sandbox.faults.inject("error", count=10_000, path=rf"/people/{victim}$")

    crashed = run_sync(Entity.CANDIDATES, write_batch_size=25)

    assert crashed.status == SyncRun.Status.FAILED and crashed.error
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES)
    assert state.backfill_checkpoint is not None and state.last_error
    before = mirrored(Entity.CANDIDATES)
    assert victim not in before and before < wanted
    assert Candidate.objects.count() == len(before) == state.backfill_done  # nothing marked, nothing half-written

    sandbox.faults.clear()
    sandbox.clock.advance(minutes=5)
    resumed = run_sync(Entity.CANDIDATES, write_batch_size=25)

    assert (resumed.mode, resumed.status) == (SyncRun.Mode.BACKFILL, SyncRun.Status.SUCCEEDED)
    assert resumed.cursor_in == crashed.cursor_out
    assert resumed.created_count == len(wanted) - len(before) and resumed.updated_count == 0
    # The rest only, not a restart: a GET per record left and a search per window left.
    assert len(wanted) - len(before) < resumed.calls_spent <= len(wanted) - len(before) + 5
    assert mirrored(Entity.CANDIDATES) == set(wanted)
    assert Candidate.objects.count() == len(wanted)


def test_a_reconcile_marks_what_left_without_an_update_and_a_failed_one_marks_nothing(
    sandbox, run_sync, in_scope, mirrored, sandbox_connection
):
    run_sync(Entity.JOBS)
    gone = sorted(in_scope(Entity.JOBS))[:3]
    for job_id in gone:  # vanish from search without an event or a new updateddate
        sandbox.jobs[job_id].folder = next(job.folder for job in sandbox.jobs.values() if job.folder.value == "Deleted")
        sandbox.jobs[job_id].index_log = None

    sandbox.clock.advance(minutes=30)
    sandbox.faults.inject("error", count=10_000, path=r"/search/jobs")
    failed = run_sync(Entity.JOBS, full=True)
    assert failed.status == SyncRun.Status.FAILED and failed.mode == SyncRun.Mode.RECONCILE
    assert set(gone) <= mirrored(Entity.JOBS)

    sandbox.faults.clear()
    reconcile = run_sync(Entity.JOBS)
    assert (reconcile.mode, reconcile.status) == (SyncRun.Mode.RECONCILE, SyncRun.Status.SUCCEEDED)
    assert reconcile.deleted_count == 3
    assert mirrored(Entity.JOBS) == in_scope(Entity.JOBS)
    assert set(sandbox_connection.mirrored_jobs.filter(icims_id__in=gone).values_list("scope_state", flat=True)) == {
        ScopeState.DELETED
    }


def test_a_folder_change_in_the_admin_takes_effect_on_the_next_run(
    sandbox, run_sync, in_scope, mirrored, sandbox_connection
):
    run_sync(Entity.CANDIDATES)
    active = in_scope(Entity.CANDIDATES)
    sandbox_connection.candidate_folders = ["Cand:Unreviewed"]
    sandbox_connection.save()
    sandbox.clock.advance(timedelta(minutes=5))

    run = run_sync(Entity.CANDIDATES)

    assert (run.mode, run.status) == (SyncRun.Mode.RECONCILE, SyncRun.Status.SUCCEEDED)
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES) != active
    assert run.left_scope_count == len(active)
    assert set(Candidate.objects.filter(icims_id__in=active).values_list("scope_state", flat=True)) == {
        ScopeState.LEFT_SCOPE
    }


def test_a_run_left_running_by_a_dead_worker_is_closed_as_abandoned_by_the_next(
    sandbox, run_sync, sandbox_connection, in_scope, mirrored
):
    dead = SyncRun.objects.create(
        connection=sandbox_connection, entity=Entity.USERS, mode=SyncRun.Mode.BACKFILL, started_at=sandbox.clock.now()
    )
    sandbox.clock.advance(minutes=5)
    assert run_sync(Entity.USERS).status == SyncRun.Status.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == SyncRun.Status.ABANDONED and "worker stopped" in dead.error
    assert mirrored(Entity.USERS) == in_scope(Entity.USERS)


def test_a_spent_hourly_budget_defers_the_walk_and_the_next_hour_goes_on(
    sandbox, run_sync, in_scope, mirrored, sandbox_connection, fake_time
):
    wanted = set(in_scope(Entity.CANDIDATES))
    sandbox_connection.hourly_call_budget = 60  # sync may spend 80 %: 48 calls, fewer than the walk needs
    sandbox_connection.save()

    deferred = run_sync(Entity.CANDIDATES, write_batch_size=25)

    assert deferred.status == SyncRun.Status.DEFERRED
    assert "48 of this connection's 60 calls an hour" in deferred.error
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES)
    assert state.last_error == ""  # waiting for the budget is not a failure
    done = mirrored(Entity.CANDIDATES)
    assert done and state.backfill_done == len(done)  # the batches committed before the budget ran out stay

    sandbox_connection.hourly_call_budget = 80_000
    sandbox_connection.save()
    fake_time.now += 3600  # the next hour
    sandbox.clock.advance(minutes=60)
    resumed = run_sync(Entity.CANDIDATES, write_batch_size=25)

    assert resumed.status == SyncRun.Status.SUCCEEDED
    assert resumed.cursor_in == deferred.cursor_out
    assert mirrored(Entity.CANDIDATES) == wanted


def test_a_budget_smaller_than_a_batch_keeps_what_it_fetched_and_the_walk_moves_on_each_hour(
    sandbox, run_sync, in_scope, mirrored, sandbox_connection, fake_time
):
    sandbox_connection.hourly_call_budget = 60  # sync may spend 48 calls an hour, fewer than a batch of GETs
    sandbox_connection.save()
    state = SyncState.objects.get_or_create(connection=sandbox_connection, entity=Entity.CANDIDATES)[0]

    hours, runs = 0, []
    while not runs or runs[-1].status == SyncRun.Status.DEFERRED:
        runs.append(run_sync(Entity.CANDIDATES))  # batches of 1,000 GETs, the production default
        state.refresh_from_db()
        if hours == 0:
            first_hour = mirrored(Entity.CANDIDATES)
            assert len(first_hour) >= 20 and state.backfill_done == len(first_hour)  # the GETs made are kept
        fake_time.now += 3600  # the next hour
        sandbox.clock.advance(minutes=60)
        hours += 1
        assert hours < 20, "the walk does not move on"

    assert runs[-1].status == SyncRun.Status.SUCCEEDED
    assert [run.cursor_in for run in runs[1:]] == [run.cursor_out for run in runs[:-1]]
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)
    # Each profile fetched once: a deferral throws no GET away.
    assert sum(run.calls_spent for run in runs) <= len(in_scope(Entity.CANDIDATES)) + 20 + 2 * len(runs)


def test_an_hour_long_pause_from_icims_defers_the_run_instead_of_failing_it(sandbox, run_sync, sandbox_connection):
    sandbox.faults.inject("rate_limit", count=1, retry_after=3600, path=r"/search/jobs")

    run = run_sync(Entity.JOBS)

    assert run.status == SyncRun.Status.DEFERRED and run.error
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.JOBS)
    assert state.last_error == ""
    # the dispatcher enqueues it again when iCIMS said it may go on
    assert timedelta(minutes=59) < state.next_run_at - timezone.now() <= timedelta(minutes=60)


def test_pausing_the_connection_stops_a_walk_in_flight_at_its_next_call(
    sandbox, run_sync, sandbox_connection, in_scope, mirrored, monkeypatch
):
    monkeypatch.setattr("sync.run_context.PAUSE_CHECK_SECONDS", 0)
    handle, calls = sandbox.handle, []

    def pause_after_ten_profile_reads(method, url, *args, **kwargs):
        if "/people/" in url:
            calls.append(url)
            if len(calls) == 10:
                Connection.objects.filter(pk=sandbox_connection.pk).update(is_active=False)
        return handle(method, url, *args, **kwargs)

    monkeypatch.setattr(sandbox, "handle", pause_after_ten_profile_reads)

    run = run_sync(Entity.CANDIDATES, write_batch_size=25)

    assert (run.status, len(calls)) == (SyncRun.Status.PAUSED, 10)
    assert "paused" in run.error
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES)
    # Windows that ended were committed; the unfinished batch was not written.
    assert len(mirrored(Entity.CANDIDATES)) == state.backfill_done <= 10
