"""Incremental sync by search window: a change becomes visible to search only after the indexing delay,
and the window overlaps enough that the next run picks it up: none missed, none doubled."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from sync.models import Candidate, Entity, IcimsUser, Job, ScopeState, SyncRun, SyncState

pytestmark = pytest.mark.django_db


@pytest.fixture
def search_only(sandbox_connection):
    sandbox_connection.stream_id = ""
    sandbox_connection.save()
    return sandbox_connection


@pytest.fixture
def backfilled(search_only, sandbox, run_sync):
    for entity in Entity.values:
        assert run_sync(entity).status == SyncRun.Status.SUCCEEDED
    sandbox.clock.advance(minutes=5)


def test_changes_made_just_before_each_run_are_mirrored_exactly_once(sandbox, run_sync, backfilled, in_scope, mirrored):
    candidates = sorted(in_scope(Entity.CANDIDATES))
    renamed, created = {}, []
    runs = []
    for tick in range(8):
        if tick < 6:  # 30 seconds before the run: invisible to this run's search and to the next one's
            sandbox.clock.advance(timedelta(minutes=4, seconds=30))
            renamed[candidates[tick]] = f"Renamed{tick}"
            sandbox.update_person(candidates[tick], lastname=f"Renamed{tick}")
            created.append(sandbox.create_person(firstname="New", lastname=f"Hire{tick}", folder="Cand:Active").id)
            sandbox.clock.advance(timedelta(seconds=30))
        else:
            sandbox.clock.advance(timedelta(minutes=5))
        run = run_sync(Entity.CANDIDATES)
        assert (run.mode, run.status) == (SyncRun.Mode.INCREMENTAL_SEARCH, SyncRun.Status.SUCCEEDED)
        runs.append(run)

    assert sum(run.created_count for run in runs) == len(created)
    assert sum(run.updated_count for run in runs) == len(renamed)
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)
    assert {c.icims_id: c.lastname for c in Candidate.objects.filter(icims_id__in=renamed)} == renamed
    # Each window starts before the last one ended, by the indexing delay plus a margin.
    for previous, run in pairwise(runs):
        assert run.window_start <= previous.window_end - timedelta(minutes=6)


def test_a_change_is_not_searchable_until_the_indexing_delay_has_passed(sandbox, run_sync, backfilled, in_scope):
    person_id = min(in_scope(Entity.CANDIDATES))
    sandbox.update_person(person_id, lastname="Later")
    sandbox.clock.advance(minutes=5)
    assert run_sync(Entity.CANDIDATES).seen_count == 0
    assert Candidate.objects.get(icims_id=person_id).lastname != "Later"
    sandbox.clock.advance(minutes=5)
    assert run_sync(Entity.CANDIDATES).updated_count == 1
    assert Candidate.objects.get(icims_id=person_id).lastname == "Later"


def test_an_idle_tick_of_a_connection_spends_two_searches_one_for_jobs_and_one_for_people(
    sandbox, run_sync, backfilled
):
    sandbox.clock.advance(minutes=20)
    runs = {entity: run_sync(entity) for entity in Entity.values}

    assert {entity: (run.mode, run.status, run.seen_count) for entity, run in runs.items()} == {
        Entity.JOBS: (SyncRun.Mode.INCREMENTAL_SEARCH, SyncRun.Status.SUCCEEDED, 0),
        Entity.CANDIDATES: (SyncRun.Mode.INCREMENTAL_SEARCH, SyncRun.Status.SUCCEEDED, 0),
        Entity.USERS: (SyncRun.Mode.INCREMENTAL_SEARCH, SyncRun.Status.SUCCEEDED, 0),
    }
    assert sum(run.calls_spent for run in runs.values()) == 2
    assert runs[Entity.USERS].served_by == Entity.CANDIDATES
    assert runs[Entity.USERS].started_at == runs[Entity.CANDIDATES].window_end  # its data is that read's


def test_one_people_search_serves_candidates_and_users_and_moves_both_windows(
    sandbox, run_sync, backfilled, in_scope, sandbox_connection
):
    candidate_id, user_id = min(in_scope(Entity.CANDIDATES)), min(in_scope(Entity.USERS))
    sandbox.update_person(candidate_id, lastname="Searched")
    sandbox.update_person(user_id, lastname="Searched")
    sandbox.clock.advance(minutes=7)

    candidates, users = run_sync(Entity.CANDIDATES), run_sync(Entity.USERS)

    assert (candidates.status, users.status, users.served_by) == (
        SyncRun.Status.SUCCEEDED,
        SyncRun.Status.SUCCEEDED,
        Entity.CANDIDATES,
    )
    assert candidates.calls_spent == 3  # one people search, one GET per changed person
    assert Candidate.objects.get(icims_id=candidate_id).lastname == "Searched"
    assert IcimsUser.objects.get(icims_id=user_id).lastname == "Searched"
    states = {state.entity: state for state in SyncState.objects.filter(connection=sandbox_connection)}
    assert states[Entity.USERS].search_watermark == states[Entity.CANDIDATES].search_watermark == candidates.window_end
    assert states[Entity.USERS].last_success_at == candidates.finished_at


def test_the_users_run_searches_for_both_once_the_candidates_read_is_half_a_cadence_old(
    sandbox, run_sync, backfilled, settings
):
    run_sync(Entity.CANDIDATES)
    sandbox.clock.advance(seconds=settings.SYNC_INTERVAL_SECONDS // 2)
    users = run_sync(Entity.USERS)
    assert (users.status, users.served_by, users.calls_spent) == (SyncRun.Status.SUCCEEDED, "", 1)


def test_steady_state_changes_cost_one_get_each_though_the_windows_overlap(
    sandbox, run_sync, backfilled, in_scope, sandbox_connection
):
    changed = sorted(in_scope(Entity.CANDIDATES))[:40]
    gets = 0
    for tick in range(12):  # a change every minute, a tick every five: every change falls in two windows
        for minute in range(5):
            person_id = changed[(tick * 5 + minute) % len(changed)]
            sandbox.update_person(person_id, lastname=f"Tick{tick}m{minute}")
            sandbox.clock.advance(minutes=1)
        run = run_sync(Entity.CANDIDATES)
        assert run.status == SyncRun.Status.SUCCEEDED
        gets += run.calls_spent - 1
    sandbox.clock.advance(minutes=10)
    for _ in range(2):
        gets += run_sync(Entity.CANDIDATES).calls_spent - 1
        sandbox.clock.advance(minutes=5)

    assert gets <= 1.1 * 60
    held = dict(Candidate.objects.filter(icims_id__in=changed).values_list("icims_id", "lastname"))
    assert held == {person_id: sandbox.people[person_id].lastname for person_id in changed}


def test_a_folder_move_makes_a_candidate_left_scope_and_a_deleted_job_deleted(
    sandbox, run_sync, backfilled, in_scope, mirrored
):
    candidate_id, job_id = min(in_scope(Entity.CANDIDATES)), min(in_scope(Entity.JOBS))
    sandbox.move_person(candidate_id, "Cand:Inactive")
    sandbox.delete_job(job_id)
    sandbox.clock.advance(minutes=7)

    candidates, jobs = run_sync(Entity.CANDIDATES), run_sync(Entity.JOBS)

    assert (candidates.left_scope_count, jobs.deleted_count) == (1, 1)
    assert Candidate.objects.get(icims_id=candidate_id).scope_state == ScopeState.LEFT_SCOPE
    assert Job.objects.get(icims_id=job_id).scope_state == ScopeState.DELETED
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)
    assert mirrored(Entity.JOBS) == in_scope(Entity.JOBS)


def test_a_candidate_promoted_to_a_user_folder_moves_between_the_mirrors(sandbox, run_sync, backfilled, in_scope):
    person_id = min(in_scope(Entity.CANDIDATES))
    sandbox.move_person(person_id, "HM:Active")
    sandbox.clock.advance(minutes=7)
    run_sync(Entity.CANDIDATES)
    run_sync(Entity.USERS)
    assert Candidate.objects.get(icims_id=person_id).scope_state == ScopeState.LEFT_SCOPE
    assert IcimsUser.objects.get(icims_id=person_id).scope_state == ScopeState.IN_SCOPE


def test_a_storm_of_429s_5xx_and_timeouts_ends_runs_early_without_sleeping_and_a_later_run_loses_nothing(
    sandbox, run_sync, backfilled, in_scope, mirrored, fake_time, sandbox_connection
):
    changed = sorted(in_scope(Entity.CANDIDATES))[:20]
    for person_id in changed:
        sandbox.update_person(person_id, lastname="Stormy")
    sandbox.clock.advance(minutes=7)
    sandbox.faults.inject("rate_limit", count=4, retry_after=30)
    sandbox.faults.inject("error", count=6, path=r"/people/\d+$")
    sandbox.faults.inject("timeout", count=3, path=r"/search/people")

    runs = []
    while not runs or runs[-1].status != SyncRun.Status.SUCCEEDED:
        assert len(runs) < 15, [(run.status, run.error) for run in runs]
        runs.append(run_sync(Entity.CANDIDATES))
        fake_time.now += 61  # the dispatcher's next tick after the pause or the breaker's cool-down

    statuses = {run.status for run in runs[:-1]}
    assert SyncRun.Status.DEFERRED in statuses  # the 429s: waited for, not failed
    assert statuses <= {SyncRun.Status.DEFERRED, SyncRun.Status.FAILED}
    assert sum(fake_time.slept) <= 5 * len(runs)  # no run slept more than the transport's few seconds
    state = SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES)
    assert state.last_error == ""
    assert set(Candidate.objects.filter(lastname="Stormy").values_list("icims_id", flat=True)) == set(changed)
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)


def test_a_failed_incremental_run_keeps_its_window_for_the_next_one(
    sandbox, run_sync, backfilled, in_scope, sandbox_connection
):
    person_id = min(in_scope(Entity.CANDIDATES))
    sandbox.update_person(person_id, lastname="Retried")
    sandbox.clock.advance(minutes=7)
    watermark = SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES).search_watermark
    sandbox.faults.inject("error", count=10_000, path=rf"/people/{person_id}$")
    assert run_sync(Entity.CANDIDATES).status == SyncRun.Status.FAILED
    assert SyncState.objects.get(connection=sandbox_connection, entity=Entity.CANDIDATES).search_watermark == watermark

    sandbox.faults.clear()
    sandbox.clock.advance(minutes=5)
    assert run_sync(Entity.CANDIDATES).updated_count == 1
    assert Candidate.objects.get(icims_id=person_id).lastname == "Retried"
