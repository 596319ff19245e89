"""What a sync run does around each iCIMS call: it never sleeps on its tenant. A pause iCIMS asked for, a
spent budget or an open breaker ends the run for later; a paused connection stops it at its next call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsServerError
from integrations.models import Connection
from integrations.services.icims_clients import icims_call_budget, icims_circuit_breaker, icims_client_for
from sync.locks import SyncLock
from sync.models import Candidate, Entity, SyncRun, SyncState
from sync.run_context import RunContext, RunDeferred, RunPaused

pytestmark = pytest.mark.django_db


@pytest.fixture
def context_for(sandbox, sandbox_connection, fake_time):
    contexts = []

    def build(entity: str = Entity.CANDIDATES, *, fetch_concurrency: int = 1) -> RunContext:
        state = SyncState.objects.get_or_create(connection=sandbox_connection, entity=entity)[0]
        run = SyncRun.objects.create(
            connection=sandbox_connection, entity=entity, mode=SyncRun.Mode.BACKFILL, started_at=sandbox.clock.now()
        )
        lock = SyncLock(connection_id=sandbox_connection.pk, entity=entity)
        assert lock.acquire()
        client = icims_client_for(
            connection=sandbox_connection, purpose=Purpose.SYNC, sleep=fake_time.sleep, clock=fake_time.clock
        )
        context = RunContext(
            connection=sandbox_connection,
            entity=entity,
            state=state,
            run=run,
            lock=lock,
            client=client,
            now=sandbox.clock.now,
            fetch_concurrency=fetch_concurrency,
        )
        contexts.append(context)
        return context

    yield build
    for context in contexts:
        context.close()
        context.lock.release()


def some_candidate_ids(sandbox, count: int) -> list[int]:
    return sorted(person_id for person_id, person in sandbox.people.items() if person.folder.value == "Cand:Active")[
        :count
    ]


def test_a_429_ends_the_call_at_once_with_the_moment_the_run_may_go_on(sandbox, context_for, fake_time):
    sandbox.faults.inject("rate_limit", count=1, retry_after=120, path=r"/people/\d+$")
    context = context_for()
    before = timezone.now()

    with pytest.raises(RunDeferred) as deferred:
        context.call(context.client.get_profile, "people", some_candidate_ids(sandbox, 1)[0])

    assert fake_time.slept == []
    assert before + timedelta(seconds=119) <= deferred.value.until <= timezone.now() + timedelta(seconds=121)
    assert "429" in deferred.value.reason


def test_a_spent_hourly_budget_defers_the_run_to_the_next_hour(sandbox, sandbox_connection, context_for, fake_time):
    sandbox_connection.hourly_call_budget = 1  # sync may use 80 %: nothing
    sandbox_connection.save()
    context = context_for()

    with pytest.raises(RunDeferred) as deferred:
        context.call(context.client.get_profile, "people", some_candidate_ids(sandbox, 1)[0])

    seconds_left_this_hour = 3600 - fake_time.now % 3600
    assert deferred.value.until - timezone.now() == pytest.approx(
        timedelta(seconds=seconds_left_this_hour), abs=timedelta(seconds=5)
    )
    assert "calls an hour" in deferred.value.reason


def test_an_open_circuit_breaker_defers_the_run_until_its_trial_call(
    sandbox, sandbox_connection, context_for, fake_time
):
    breaker = icims_circuit_breaker(connection=sandbox_connection, clock=fake_time.clock)
    for _ in range(breaker.threshold):
        breaker.record_failure()
    context = context_for()

    with pytest.raises(RunDeferred) as deferred:
        context.call(context.client.get_profile, "people", some_candidate_ids(sandbox, 1)[0])

    assert deferred.value.until - timezone.now() == pytest.approx(
        timedelta(seconds=breaker.cooldown), abs=timedelta(seconds=5)
    )


def test_a_failure_the_transport_could_not_fix_in_a_few_seconds_is_raised_as_it_is(sandbox, context_for, fake_time):
    sandbox.faults.inject("error", count=100, path=r"/people/\d+$")
    context = context_for()

    with pytest.raises(IcimsServerError):
        context.call(context.client.get_profile, "people", some_candidate_ids(sandbox, 1)[0])

    assert sum(fake_time.slept) <= 5


def test_a_connection_paused_mid_run_stops_the_run_at_its_next_call(sandbox, sandbox_connection, context_for):
    context = context_for()
    first, second = some_candidate_ids(sandbox, 2)
    assert context.call(context.client.get_profile, "people", first)

    Connection.objects.filter(pk=sandbox_connection.pk).update(is_active=False)
    context._pause_checked_at = None  # the next call looks again (in a run: at most a second later)

    with pytest.raises(RunPaused):
        context.call(context.client.get_profile, "people", second)


def test_a_pause_stops_a_batch_of_parallel_gets_without_writing_it(sandbox, sandbox_connection, context_for):
    Connection.objects.filter(pk=sandbox_connection.pk).update(is_active=False)
    context = context_for(fetch_concurrency=4)

    with pytest.raises(RunPaused):
        context.fetch_and_write(some_candidate_ids(sandbox, 40))

    assert Candidate.objects.count() == 0


def test_a_batch_is_written_in_one_go_and_its_calls_are_counted(sandbox, sandbox_connection, context_for, fake_time):
    ids = some_candidate_ids(sandbox, 30)
    context = context_for(fetch_concurrency=4)
    done = []

    context.fetch_and_write(ids, after_batch=done.append)

    assert set(Candidate.objects.values_list("icims_id", flat=True)) == set(ids)
    assert done == [ids[-1]]
    assert (context.run.created_count, context.run.progress_done) == (30, 30)
    budget = icims_call_budget(connection=sandbox_connection, clock=fake_time.clock)
    assert budget.calls_this_hour() == context.calls.total == context.run.calls_spent >= 30
