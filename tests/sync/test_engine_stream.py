"""Data stream mode: events are read from the stored key, the key is stored after each committed page, and a
stream that does not answer makes the run fall back to search."""

from __future__ import annotations

import pytest

from sync.models import Candidate, Entity, IcimsUser, Job, ScopeState, SyncRun, SyncState

pytestmark = pytest.mark.django_db


@pytest.fixture
def backfilled(sandbox, run_sync, sandbox_connection):
    assert sandbox_connection.stream_id == sandbox.stream_id
    for entity in Entity.values:
        assert run_sync(entity).status == SyncRun.Status.SUCCEEDED
    sandbox.clock.advance(minutes=5)


def state_of(connection, entity) -> SyncState:
    return SyncState.objects.get(connection=connection, entity=entity)


def test_the_stream_is_read_from_the_stored_key_and_changes_show_without_the_indexing_delay(
    sandbox, run_sync, backfilled, in_scope, mirrored, sandbox_connection
):
    renamed = sorted(in_scope(Entity.CANDIDATES))[:30]
    for person_id in renamed:
        sandbox.update_person(person_id, lastname="Streamed")

    first = run_sync(Entity.CANDIDATES)

    assert (first.mode, first.status, first.cursor_in) == (
        SyncRun.Mode.INCREMENTAL_STREAM,
        SyncRun.Status.SUCCEEDED,
        "",
    )
    assert first.updated_count == 30
    assert (
        state_of(sandbox_connection, Entity.CANDIDATES).stream_key == first.cursor_out == sandbox.events[-1]["eventId"]
    )
    assert Candidate.objects.filter(lastname="Streamed").count() == 30

    later = sandbox.create_person(firstname="Late", lastname="Comer", folder="Cand:Active")
    second = run_sync(Entity.CANDIDATES)
    assert second.cursor_in == first.cursor_out
    assert (second.seen_count, second.created_count) == (1, 1)
    assert Candidate.objects.filter(icims_id=later.id).exists()
    assert mirrored(Entity.CANDIDATES) == in_scope(Entity.CANDIDATES)


def test_the_key_is_stored_after_each_committed_page_so_a_crash_resumes_after_it(
    sandbox, run_sync, backfilled, in_scope, sandbox_connection
):
    changed = sorted(in_scope(Entity.CANDIDATES))[:120]  # the sandbox pages 100 events at a time
    for person_id in changed:
        sandbox.update_person(person_id, lastname="Paged")
    sandbox.faults.inject("error", count=10_000, path=rf"/people/{changed[110]}$")

    crashed = run_sync(Entity.CANDIDATES)

    assert crashed.status == SyncRun.Status.FAILED
    assert state_of(sandbox_connection, Entity.CANDIDATES).stream_key == sandbox.events[99]["eventId"]
    assert Candidate.objects.filter(lastname="Paged").count() == 100

    sandbox.faults.clear()
    resumed = run_sync(Entity.CANDIDATES)
    assert resumed.status == SyncRun.Status.SUCCEEDED
    assert resumed.cursor_in == sandbox.events[99]["eventId"]
    assert resumed.seen_count == 20
    assert Candidate.objects.filter(lastname="Paged").count() == 120


def test_person_events_are_routed_by_folder_and_a_deleted_job_becomes_deleted(sandbox, run_sync, backfilled, in_scope):
    promoted = min(in_scope(Entity.CANDIDATES))
    sandbox.move_person(promoted, "HM:Active")
    job_id = min(in_scope(Entity.JOBS))
    sandbox.delete_job(job_id)

    for entity in Entity.values:
        assert run_sync(entity).mode == SyncRun.Mode.INCREMENTAL_STREAM

    assert Candidate.objects.get(icims_id=promoted).scope_state == ScopeState.LEFT_SCOPE
    assert IcimsUser.objects.get(icims_id=promoted).scope_state == ScopeState.IN_SCOPE
    assert Job.objects.get(icims_id=job_id).scope_state == ScopeState.DELETED


def test_an_unavailable_stream_falls_back_to_search_and_says_so(
    sandbox, run_sync, backfilled, in_scope, sandbox_connection
):
    sandbox_connection.stream_id = "no-such-stream"
    sandbox_connection.save()
    person_id = min(in_scope(Entity.CANDIDATES))
    sandbox.update_person(person_id, lastname="Searched")
    sandbox.clock.advance(minutes=7)

    run = run_sync(Entity.CANDIDATES)

    assert (run.mode, run.status) == (SyncRun.Mode.INCREMENTAL_SEARCH, SyncRun.Status.SUCCEEDED)
    assert run.error.startswith("Data stream unavailable, fell back to search")
    assert run.window_start is not None
    assert Candidate.objects.get(icims_id=person_id).lastname == "Searched"


def test_an_event_that_carries_the_records_fields_costs_no_get(
    sandbox, run_sync, backfilled, in_scope, sandbox_connection
):
    sandbox.stream_events_carry_fields = True
    renamed = sorted(in_scope(Entity.CANDIDATES))[:5]
    for person_id in renamed:
        sandbox.update_person(person_id, lastname="Carried")
    job_id = min(in_scope(Entity.JOBS))
    sandbox.update_job(job_id, jobtitle="Carried title")
    hired = sandbox.create_person(firstname="New", lastname="Carried", folder="Cand:Active")

    run = run_sync(Entity.CANDIDATES)

    assert (run.status, run.calls_spent) == (SyncRun.Status.SUCCEEDED, 1)  # the stream read, no GET
    assert Candidate.objects.filter(lastname="Carried").count() == 6
    assert Candidate.objects.filter(icims_id=hired.id).exists()
    assert Job.objects.get(icims_id=job_id).jobtitle == "Carried title"


def test_an_event_without_the_fields_that_decide_scope_is_fetched(
    sandbox, run_sync, backfilled, in_scope, sandbox_connection
):
    sandbox.stream_events_carry_fields = True
    carried, thin = sorted(in_scope(Entity.CANDIDATES))[:2]
    sandbox.update_person(carried, lastname="Carried")
    sandbox.update_person(thin, lastname="Fetched")
    del sandbox.events[-1]["fields"]["folder"]  # a channel that does not carry the folder

    run = run_sync(Entity.CANDIDATES)

    assert run.calls_spent == 2  # the stream read and one GET, for the event that lacks the folder
    assert Candidate.objects.get(icims_id=carried).lastname == "Carried"
    assert Candidate.objects.get(icims_id=thin).lastname == "Fetched"


def test_one_stream_read_a_tick_serves_every_entity(sandbox, run_sync, backfilled, in_scope, sandbox_connection):
    sandbox.update_person(min(in_scope(Entity.USERS)), lastname="Streamed")

    runs = [run_sync(entity) for entity in Entity.values]

    assert [(run.status, run.served_by) for run in runs] == [
        (SyncRun.Status.SUCCEEDED, ""),
        (SyncRun.Status.SUCCEEDED, Entity.JOBS),
        (SyncRun.Status.SUCCEEDED, Entity.JOBS),
    ]
    assert sum(run.calls_spent for run in runs) == 2  # the stream read and the user's GET
    assert IcimsUser.objects.get(icims_id=min(in_scope(Entity.USERS))).lastname == "Streamed"
    keys = {state.stream_key for state in SyncState.objects.filter(connection=sandbox_connection)}
    assert keys == {sandbox.events[-1]["eventId"]}

    sandbox.clock.advance(minutes=5)
    idle = [run_sync(entity) for entity in Entity.values]
    assert sum(run.calls_spent for run in idle) == 1  # an idle tick of the connection: one stream read


def test_a_fallback_to_search_is_flagged_on_the_run(sandbox, run_sync, backfilled, sandbox_connection):
    sandbox_connection.stream_id = "no-such-stream"
    sandbox_connection.save()

    run = run_sync(Entity.JOBS)

    assert (run.status, run.fell_back_to_search) == (SyncRun.Status.SUCCEEDED, True)
