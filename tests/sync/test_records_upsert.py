from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db_connection

from integrations.models import Connection
from sync.entities import entity_spec
from sync.models import Candidate, Entity, IcimsUser, Job, ScopeState
from sync.services import records_upsert

T0 = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def candidate(profile: dict, **changes) -> dict:
    return {**profile, **changes}


def test_a_new_candidate_is_created_with_its_values_raw_profile_and_bookkeeping(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")

    counts = records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, profile)], fetched_at=T0)

    assert (counts.seen, counts.created, counts.updated, counts.unchanged) == (1, 1, 0, 0)
    row = Candidate.objects.get(connection=connection, icims_id=8986)
    assert (row.firstname, row.lastname, row.email, row.folder, row.location) == (
        "Jane",
        "Doe",
        "jane@example.com",
        "Cand:Active",
        "New York, NY, US",
    )
    assert row.raw == profile
    assert row.synced_at == row.seen_at == row.scope_changed_at == T0
    assert row.scope_state == ScopeState.IN_SCOPE


def test_the_same_profile_fetched_again_is_unchanged_and_only_confirmed(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, profile)], fetched_at=T0)
    later = T0 + timedelta(minutes=5)

    counts = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[("8986", profile)], fetched_at=later
    )

    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 1)
    row = Candidate.objects.get(icims_id=8986)
    assert row.synced_at == row.seen_at == later
    assert row.scope_changed_at == T0


def test_a_changed_profile_updates_the_row(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, profile)], fetched_at=T0)
    changed = candidate(profile, email="jane.doe@example.com", updateddate="2024-05-01 02:45 PM")

    counts = records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=[(8986, changed)],
        fetched_at=T0 + timedelta(minutes=5),
    )

    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 0)
    row = Candidate.objects.get(icims_id=8986)
    assert row.email == "jane.doe@example.com"
    assert row.updateddate == datetime(2024, 5, 1, 14, 45, tzinfo=UTC)
    assert row.raw["email"] == "jane.doe@example.com"
    assert Candidate.objects.count() == 1


def test_an_older_fetch_never_overwrites_a_newer_row(connection, icims_profile):
    newer = candidate(
        icims_profile("sync-person-candidate.json"), email="new@example.com", updateddate="2024-05-01 03:00 PM"
    )
    older = candidate(newer, email="old@example.com", updateddate="2024-05-01 01:00 PM")
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, newer)], fetched_at=T0)

    # Written later (a slow worker), but iCIMS says this version is older.
    counts = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, older)], fetched_at=T0 + timedelta(minutes=10)
    )

    assert (counts.updated, counts.stale) == (0, 1)
    row = Candidate.objects.get(icims_id=8986)
    assert row.email == "new@example.com"
    assert row.seen_at == T0 + timedelta(minutes=10)  # it was seen, so a reconcile does not call it missing


def test_within_the_same_updateddate_minute_the_fetch_made_earlier_loses(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")
    records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=[(8986, candidate(profile, email="second-edit@example.com"))],
        fetched_at=T0,
    )

    counts = records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=[(8986, candidate(profile, email="first-edit@example.com"))],
        fetched_at=T0 - timedelta(seconds=30),
    )

    assert counts.stale == 1
    assert Candidate.objects.get(icims_id=8986).email == "second-edit@example.com"


def test_a_candidate_moved_out_of_the_folders_leaves_scope_and_comes_back(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, profile)], fetched_at=T0)
    moved = candidate(profile, folder={"id": "D32020", "value": "Cand:Hired"}, updateddate="2024-05-02 09:00 AM")
    moved_at = T0 + timedelta(days=1)

    counts = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, moved)], fetched_at=moved_at
    )

    assert (counts.updated, counts.left_scope) == (1, 1)
    row = Candidate.objects.get(icims_id=8986)
    assert (row.scope_state, row.scope_changed_at, row.folder) == (ScopeState.LEFT_SCOPE, moved_at, "Cand:Hired")

    back = candidate(profile, updateddate="2024-05-03 09:00 AM")
    back_at = T0 + timedelta(days=2)
    counts = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, back)], fetched_at=back_at
    )

    assert (counts.updated, counts.left_scope) == (1, 0)
    row.refresh_from_db()
    assert (row.scope_state, row.scope_changed_at, row.folder) == (ScopeState.IN_SCOPE, back_at, "Cand:Active")


def test_a_folder_added_to_the_connection_brings_unchanged_candidates_back_in_scope(connection, icims_profile):
    hired = candidate(icims_profile("sync-person-candidate.json"), folder={"id": "D32020", "value": "Cand:Hired"})
    connection.candidate_folders = ["Cand:Active", "Cand:Hired"]
    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, hired)], fetched_at=T0)
    connection.candidate_folders = ["Cand:Active"]
    records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, hired)], fetched_at=T0 + timedelta(minutes=5)
    )
    assert Candidate.objects.get(icims_id=8986).scope_state == ScopeState.LEFT_SCOPE

    connection.candidate_folders = ["Cand:Active", "Cand:Hired"]
    counts = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, hired)], fetched_at=T0 + timedelta(minutes=10)
    )

    assert counts.updated == 1
    assert Candidate.objects.get(icims_id=8986).scope_state == ScopeState.IN_SCOPE


def test_a_person_never_in_scope_is_not_mirrored(connection, icims_profile):
    unreviewed = candidate(
        icims_profile("sync-person-candidate.json"), folder={"id": "D32006", "value": "Cand:Unreviewed"}
    )

    counts = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, unreviewed)], fetched_at=T0
    )

    assert (counts.created, counts.ignored) == (0, 1)
    assert not Candidate.objects.exists()


def test_users_and_candidates_are_mirrored_by_their_own_folders(connection, icims_profile):
    user = icims_profile("sync-person-user.json")

    as_user = records_upsert(connection=connection, entity=Entity.USERS, profiles=[(564, user)], fetched_at=T0)
    as_candidate = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(564, user)], fetched_at=T0
    )

    assert (as_user.created, as_candidate.created, as_candidate.ignored) == (1, 0, 1)
    assert IcimsUser.objects.get(icims_id=564).location == "London, GB"


def test_a_job_moved_to_the_deleted_folder_becomes_deleted_and_a_new_deleted_job_is_not_mirrored(
    connection, icims_profile
):
    job = icims_profile("sync-job.json")
    records_upsert(connection=connection, entity=Entity.JOBS, profiles=[(1026, job)], fetched_at=T0)
    deleted = {**job, "folder": {"id": "D31010", "value": "Deleted"}, "updateddate": "2015-10-02 10:00 AM"}

    counts = records_upsert(
        connection=connection,
        entity=Entity.JOBS,
        profiles=[(1026, deleted), (1027, icims_profile("sync-job-deleted.json"))],
        fetched_at=T0 + timedelta(hours=1),
    )

    assert (counts.updated, counts.deleted, counts.ignored) == (1, 1, 1)
    row = Job.objects.get()
    assert (row.icims_id, row.scope_state, row.scope_changed_at) == (1026, ScopeState.DELETED, T0 + timedelta(hours=1))
    assert (row.jobtitle, row.recruiter_name, row.joblocation_icims_id) == (
        "Senior Software Engineer",
        "Rita Recruiter",
        5,
    )


def test_one_id_twice_in_a_page_keeps_the_newest_version(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")
    newer = candidate(profile, email="newer@example.com", updateddate="2024-05-01 02:00 PM")

    counts = records_upsert(
        connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, newer), (8986, profile)], fetched_at=T0
    )

    assert (counts.seen, counts.created) == (2, 1)
    assert Candidate.objects.get().email == "newer@example.com"


def test_unusable_ids_are_rejected_and_the_rest_still_written(connection, icims_profile):
    profile = icims_profile("sync-person-candidate.json")

    counts = records_upsert(
        connection=connection,
        entity=Entity.CANDIDATES,
        profiles=[("abc", profile), (None, profile), (-3, profile), (8986, profile)],
        fetched_at=T0,
    )

    assert (counts.rejected, counts.created) == (3, 1)
    assert list(Candidate.objects.values_list("icims_id", flat=True)) == [8986]


def test_an_over_long_value_is_cut_to_fit_rather_than_failing_the_batch(connection, icims_profile):
    profile = candidate(icims_profile("sync-person-candidate.json"), lastname="x" * 1000)

    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, profile)], fetched_at=T0)

    assert Candidate.objects.get().lastname == "x" * 200


def test_a_nul_character_in_icims_text_is_dropped_rather_than_blocking_the_sync(connection, icims_profile):
    profile = candidate(
        icims_profile("sync-person-candidate.json"),
        firstname="Ja\x00ne",
        phones=[{"phonenumber": "555\x000100"}],
        sourcenote="a\x00b",
    )

    counts = records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, profile)], fetched_at=T0)

    assert counts.created == 1
    row = Candidate.objects.get()
    assert (row.firstname, row.phones[0]["number"]) == ("Jane", "5550100")
    assert row.raw["sourcenote"] in ("ab", "a\x00b")  # PostgreSQL's jsonb refuses NUL, so it is dropped there


def test_tenants_are_walled_the_same_icims_id_is_two_rows(connection, icims_profile):
    other = Connection.objects.create(name="Globex", customer_id="9999")
    profile = icims_profile("sync-person-candidate.json")

    records_upsert(connection=connection, entity=Entity.CANDIDATES, profiles=[(8986, profile)], fetched_at=T0)
    records_upsert(
        connection=other,
        entity=Entity.CANDIDATES,
        profiles=[(8986, candidate(profile, email="globex@example.com"))],
        fetched_at=T0,
    )

    assert Candidate.objects.get(connection=connection).email == "jane@example.com"
    assert Candidate.objects.get(connection=other).email == "globex@example.com"


def test_an_unknown_entity_is_refused_and_nothing_is_written(connection, icims_profile):
    with pytest.raises(ValueError, match="Unknown entity 'applications'"):
        records_upsert(
            connection=connection,
            entity="applications",
            profiles=[(1, icims_profile("sync-person-candidate.json"))],
            fetched_at=T0,
        )


def test_a_fetch_time_without_a_zone_is_refused_and_nothing_is_written(connection, icims_profile):
    with pytest.raises(ValueError, match="aware datetime"):
        records_upsert(
            connection=connection,
            entity=Entity.CANDIDATES,
            profiles=[(8986, icims_profile("sync-person-candidate.json"))],
            fetched_at=datetime(2024, 5, 1, 14, 0),
        )
    assert not Candidate.objects.exists()


def synthetic_candidates(count: int, *, email_domain: str = "example.com", minute: int = 0) -> list[tuple[int, dict]]:
    return [
        (
            10_000 + n,
            {
                "firstname": f"First{n}",
                "lastname": f"Last{n}",
                "email": f"person{n}@{email_domain}",
                "folder": {"id": "C32101", "value": "Cand:Active", "formattedvalue": "Cand:Active"},
                "phones": [
                    {"entry": n, "phonetype": {"id": "D83002", "value": "Mobile"}, "phonenumber": f"555-{n:04}"}
                ],
                "addresses": [
                    {"entry": n, "addresscity": "Austin", "addressstate": {"id": "D41001044", "abbrev": "TX"}}
                ],
                "updateddate": f"2024-05-01 01:{minute:02} PM",
            },
        )
        for n in range(count)
    ]


def statement_budget(records: int) -> int:
    """SQL statements one batch of `records` may take, inside its savepoint pair: a SELECT of the rows held,
    then the write. PostgreSQL writes with CREATE TEMPORARY TABLE, COPY, INSERT .. ON CONFLICT and DROP
    (COPY bypasses Django's cursor wrapper, so it is not counted here). SQLite writes with Django's
    bulk_create, which splits its INSERT because SQLite caps one statement at 999 parameters."""
    if db_connection.vendor == "postgresql":
        return 2 + 1 + 3
    columns = len(entity_spec(Entity.CANDIDATES).value_fields) + 9  # plus connection, icims_id and bookkeeping
    return 2 + 1 + math.ceil(records / (999 // columns))


def test_a_batch_of_1000_takes_a_handful_of_statements_whether_new_changed_or_unchanged(
    connection, django_assert_max_num_queries
):
    with django_assert_max_num_queries(statement_budget(1000)):
        counts = records_upsert(
            connection=connection, entity=Entity.CANDIDATES, profiles=synthetic_candidates(1000), fetched_at=T0
        )
    assert counts.created == 1000

    with django_assert_max_num_queries(statement_budget(1000)):
        counts = records_upsert(
            connection=connection,
            entity=Entity.CANDIDATES,
            profiles=synthetic_candidates(1000, email_domain="example.org", minute=5),
            fetched_at=T0 + timedelta(minutes=5),
        )
    assert counts.updated == 1000

    with django_assert_max_num_queries(4):
        counts = records_upsert(
            connection=connection,
            entity=Entity.CANDIDATES,
            profiles=synthetic_candidates(1000, email_domain="example.org", minute=5),
            fetched_at=T0 + timedelta(minutes=10),
        )
    assert counts.unchanged == 1000
    assert Candidate.objects.filter(email__endswith="example.org", synced_at=T0 + timedelta(minutes=10)).count() == 1000


def test_large_inputs_are_written_in_batches(connection, django_assert_max_num_queries):
    with django_assert_max_num_queries(3 * statement_budget(1000)):
        counts = records_upsert(
            connection=connection, entity=Entity.CANDIDATES, profiles=synthetic_candidates(2500), fetched_at=T0
        )

    assert counts.created == 2500
    assert Candidate.objects.count() == 2500
