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


def test_an_idle_incremental_run_spends_one_search_call_per_entity(sandbox, run_sync, backfilled):
    sandbox.clock.advance(minutes=20)
    for entity in Entity.values:
        run = run_sync(entity)
        assert (run.mode, run.status, run.seen_count, run.calls_spent) == (
            SyncRun.Mode.INCREMENTAL_SEARCH,
            SyncRun.Status.SUCCEEDED,
            0,
            1,
        )


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
