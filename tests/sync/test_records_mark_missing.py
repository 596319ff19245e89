from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from integrations.models import Connection
from sync.models import Candidate, Entity, Job, ScopeState
from sync.services import records_mark_missing, records_upsert

pytestmark = pytest.mark.django_db

BEFORE = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
RUN_START = datetime(2024, 5, 8, 2, 0, tzinfo=UTC)
RUN_END = RUN_START + timedelta(hours=1)


def people(icims_profile, *ids: int) -> list[tuple[int, dict]]:
    profile = icims_profile("sync-person-candidate.json")
    return [(icims_id, {**profile, "email": f"{icims_id}@example.com"}) for icims_id in ids]


def test_after_a_clean_full_run_candidates_not_seen_leave_scope_and_the_seen_stay(connection, icims_profile):
    records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=people(icims_profile, 1, 2, 3), fetched_at=BEFORE
    )
    # The full run sees 1 (unchanged) and 2; 3 has moved to a folder the run does not walk.
    records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=people(icims_profile, 1, 2),
        fetched_at=RUN_START + timedelta(minutes=10),
    )

    marked = records_mark_missing(
        connection=connection, entity=Entity.CANDIDATES, full_run_started_at=RUN_START, at=RUN_END
    )

    assert marked == 1
    states = dict(Candidate.objects.values_list("icims_id", "scope_state"))
    assert states == {1: ScopeState.IN_SCOPE, 2: ScopeState.IN_SCOPE, 3: ScopeState.LEFT_SCOPE}
    assert Candidate.objects.get(icims_id=3).scope_changed_at == RUN_END


def test_jobs_not_seen_in_a_clean_full_run_are_deleted(connection, icims_profile):
    job = icims_profile("sync-job.json")
    records_upsert(connection=connection, entity=Entity.JOBS, profiles=[(1026, job), (1030, job)], fetched_at=BEFORE)
    records_upsert(connection=connection, entity=Entity.JOBS, profiles=[(1026, job)], fetched_at=RUN_START)

    assert (
        records_mark_missing(connection=connection, entity=Entity.JOBS, full_run_started_at=RUN_START, at=RUN_END) == 1
    )
    assert dict(Job.objects.values_list("icims_id", "scope_state")) == {
        1026: ScopeState.IN_SCOPE,
        1030: ScopeState.DELETED,
    }


def test_a_record_seen_only_in_an_older_version_is_not_missing(connection, icims_profile):
    newer = {**icims_profile("sync-person-candidate.json"), "updateddate": "2024-05-07 10:00 AM"}
    older = {**newer, "updateddate": "2024-05-01 10:00 AM"}
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(1, newer)], fetched_at=BEFORE)
    records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=[(1, older)],
        fetched_at=RUN_START + timedelta(minutes=1),
    )

    assert records_mark_missing(connection=connection, entity=Entity.CANDIDATES, full_run_started_at=RUN_START) == 0


def test_records_already_out_of_scope_keep_the_time_they_left(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(1, profile)], fetched_at=BEFORE)
    moved = {**profile, "folder": {"id": "D1", "value": "Cand:Hired"}, "updateddate": "2024-05-02 10:00 AM"}
    left_at = BEFORE + timedelta(days=1)
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(1, moved)], fetched_at=left_at)

    assert (
        records_mark_missing(connection=connection, entity=Entity.CANDIDATES, full_run_started_at=RUN_START, at=RUN_END)
        == 0
    )
    assert Candidate.objects.get().scope_changed_at == left_at


def test_a_full_run_of_one_connection_marks_nothing_of_another(connection, icims_profile):
    other = Connection.objects.create(name="Globex", customer_id="9999")
    records_upsert(connection=other, entity=Entity.CANDIDATES, profiles=people(icims_profile, 1), fetched_at=BEFORE)

    assert records_mark_missing(connection=connection, entity=Entity.CANDIDATES, full_run_started_at=RUN_START) == 0
    assert Candidate.objects.get(connection=other).scope_state == ScopeState.IN_SCOPE


def test_a_candidate_marked_missing_comes_back_in_scope_when_fetched_again(connection, icims_profile):
    records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=people(icims_profile, 1), fetched_at=BEFORE
    )
    records_mark_missing(connection=connection, entity=Entity.CANDIDATES, full_run_started_at=RUN_START, at=RUN_END)

    counts = records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=people(icims_profile, 1),
        fetched_at=RUN_END + timedelta(minutes=5),
    )

    assert counts.updated == 1
    assert Candidate.objects.get().scope_state == ScopeState.IN_SCOPE
