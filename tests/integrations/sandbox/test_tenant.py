"""The fake tenant's own API, as tests and the demo drive it: records get the next id and the
sandbox clock's time, every change leaves a stream event, and a refused change changes nothing."""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime

import pytest

from integrations.sandbox import SandboxTenant
from integrations.sandbox.clock import SandboxClock
from integrations.sandbox.records import render_profile
from integrations.sandbox.tenant import at

from .conftest import START

START_EPOCH = int(START.timestamp())


def events(tenant) -> list[tuple[str, str, str]]:
    return [(event["entityType"], event["entityId"], event["eventType"]) for event in tenant.events]


def test_an_empty_tenant_numbers_people_jobs_and_workflows_from_their_first_ids():
    tenant = SandboxTenant(clock=SandboxClock(START))

    person = tenant.create_person(firstname="Ada", lastname="Lovelace")
    job = tenant.create_job(jobtitle="Analyst")
    workflow = tenant.create_workflow(person_id=person.id, job_id=job.id)

    assert (person.id, job.id, workflow.id) == (1, 1001, 10001)
    assert (job.hiringmanager, job.recruiter, job.jobowner) == (0, 0, 0)  # no user to default to


def test_a_new_record_takes_the_id_after_the_last_and_the_sandbox_clocks_time(tenant):
    last_person = max(tenant.people)
    tenant.clock.advance(hours=2)

    person = tenant.create_person(firstname="Grace", lastname="Hopper", email="grace@example.com")

    assert person.id == last_person + 1
    assert tenant.people[person.id] is person
    assert tenant.ids["people"][-1] == person.id
    assert person.created == person.updated == START_EPOCH + 7200
    assert (person.folder.value, person.email, person.is_user) == ("Cand:Unreviewed", "grace@example.com", False)
    assert events(tenant) == [("person", str(person.id), "CREATE")]
    assert tenant.events[0]["timestamp"] == "2026-11-26T20:00:00Z"


def test_a_person_created_in_a_user_folder_is_a_user_at_once(tenant):
    person = tenant.create_person(firstname="Hiring", lastname="Manager", folder="HM:Active")

    assert person.id in tenant.user_ids


def test_a_change_bumps_updateddate_and_keeps_the_creation_date(tenant):
    person = tenant.people[5]
    created = person.created
    tenant.clock.advance(minutes=30)

    tenant.update_person(5, firstname="Zoë", email="zoe@example.com")

    assert (person.firstname, person.email) == ("Zoë", "zoe@example.com")
    assert person.updated == START_EPOCH + 1800
    assert person.created == created
    assert events(tenant) == [("person", "5", "UPDATE")]


def test_folders_are_named_by_their_text_or_their_node_id(tenant):
    assert tenant.move_person(5, "D32005").folder.value == "Cand:Active"
    assert tenant.update_job(1001, folder="On Hold").folder.id == "D31003"


def test_changes_refuse_unknown_folders_statuses_and_fields(tenant):
    with pytest.raises(ValueError, match="Unknown folder"):
        tenant.move_person(5, "Cand:Nowhere")
    with pytest.raises(ValueError, match="Unknown status"):
        tenant.change_status(10001, "C0")
    with pytest.raises(ValueError, match="no changeable field"):
        tenant.update_job(1001, salary=1)
    with pytest.raises(LookupError):
        tenant.update_person(999999, firstname="X")
    with pytest.raises(ValueError, match="change_status"):
        tenant.update_workflow(10001, status="C51218")
    assert tenant.events == []


def test_a_person_moved_into_a_user_folder_becomes_a_user(tenant):
    candidate = next(p for p in tenant.people.values() if not p.is_user)

    tenant.move_person(candidate.id, "HM:Active")

    assert candidate.id in tenant.user_ids
    assert tenant.create_job(jobtitle="Ingénieur", hiringmanager=candidate.id).hiringmanager == candidate.id


def test_a_user_moved_out_of_the_user_folders_is_no_longer_a_user(tenant):
    user_id = tenant.user_ids[0]

    tenant.move_person(user_id, "Cand:Inactive")

    assert user_id not in tenant.user_ids


def test_a_new_job_defaults_its_hiring_team_to_the_first_user(tenant):
    job = tenant.create_job(jobtitle="Nurse", recruiter=tenant.user_ids[1])

    first_user = tenant.user_ids[0]
    assert (job.hiringmanager, job.recruiter, job.jobowner) == (first_user, tenant.user_ids[1], first_user)
    assert job.folder.value == "Approved"
    assert events(tenant) == [("job", str(job.id), "CREATE")]


def test_moving_a_job_to_deleted_is_a_delete_and_the_job_is_kept(tenant):
    tenant.update_job(1001, jobtitle="Renamed")
    tenant.update_job(1002, folder="Deleted")
    tenant.delete_job(1003)

    assert tenant.jobs[1002].folder.value == tenant.jobs[1003].folder.value == "Deleted"
    assert events(tenant) == [("job", "1001", "UPDATE"), ("job", "1002", "DELETE"), ("job", "1003", "DELETE")]


def test_a_refused_change_changes_nothing(tenant):
    person = tenant.people[5]
    before = (person.firstname, person.updated)

    for field in ("id", "created", "updated", "index_log", "salary"):
        with pytest.raises(ValueError, match=f"no changeable field '{field}'"):
            tenant.update_person(5, firstname="Changed", **{field: 1})

    assert (person.firstname, person.updated) == before
    assert tenant.events == []


def test_a_workflow_needs_an_existing_person_and_job_and_a_known_status(tenant):
    count = len(tenant.workflows)

    with pytest.raises(LookupError, match="Person 999999 not found"):
        tenant.create_workflow(person_id=999999, job_id=1001)
    with pytest.raises(LookupError, match="Job 1 not found"):
        tenant.create_workflow(person_id=5, job_id=1)
    with pytest.raises(ValueError, match="Unknown status id 'C0'"):
        tenant.create_workflow(person_id=5, job_id=1001, status_id="C0")

    assert len(tenant.workflows) == count
    assert tenant.events == []
    workflow = tenant.create_workflow(person_id=5, job_id=1001)
    assert (workflow.person, workflow.job, workflow.status.id) == (5, 1001, "D10100")


def test_without_a_webhook_url_a_status_change_moves_the_candidate_and_notifies_nobody(tenant):
    delivery = tenant.change_status(10001, "C51218")

    assert delivery is None
    assert tenant.workflows[10001].status.id == "C51218"
    assert tenant.webhook_deliveries == []
    assert events(tenant) == [("applicantworkflow", "10001", "UPDATE")]


def test_an_unknown_status_leaves_the_candidate_where_it_was(tenant):
    status = tenant.workflows[10001].status

    with pytest.raises(ValueError, match="Unknown status"):
        tenant.change_status(10001, "C0")

    assert tenant.workflows[10001].status == status
    assert tenant.events == []


def test_stream_events_come_in_pages_each_naming_where_the_next_one_starts(tenant):
    for index in range(5):
        tenant.update_person(1 + index, firstname=f"Name {index}")

    first, key = tenant.stream_events(exclusive_start_key=None, limit=2)
    second, key_after_second = tenant.stream_events(exclusive_start_key=key, limit=2)
    last, end = tenant.stream_events(exclusive_start_key=key_after_second, limit=2)

    assert [event["entityId"] for event in first + second + last] == ["1", "2", "3", "4", "5"]
    # The last page's key is the empty string, as the one public client records it.
    assert (key, key_after_second, end) == ("000000000002", "000000000004", "")
    assert tenant.stream_events(exclusive_start_key="000000000005") == ([], "")
    # A key that is not one of ours starts from the beginning, as a first read does.
    assert tenant.stream_events(exclusive_start_key="not-a-key", limit=2)[0] == first


def test_the_search_index_sees_a_change_only_after_the_indexing_delay(tenant):
    unreviewed = {"filters": [{"name": "person.folder", "value": ["Cand:Unreviewed"]}], "operator": "&"}
    person = next(p for p in tenant.people.values() if p.folder.value == "Cand:Unreviewed")

    tenant.move_person(person.id, "Cand:Active")

    assert person.id in tenant.search("people", unreviewed, staleness_minutes=0)
    tenant.clock.advance(tenant.indexing_delay)
    assert person.id not in tenant.search("people", unreviewed, staleness_minutes=0)


def test_changes_from_several_threads_at_once_get_distinct_ids_and_one_event_each(tenant):
    created: list[int] = []

    def create_people() -> None:
        for number in range(200):
            created.append(tenant.create_person(firstname="Thread", lastname=str(number)).id)

    threads = [threading.Thread(target=create_people) for _ in range(8)]
    previous = sys.getswitchinterval()
    # Switch threads as often as possible, so that an unguarded "read the last id, then add" interleaves.
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(previous)

    assert len(set(created)) == 1600
    assert len({event["eventId"] for event in tenant.events}) == len(tenant.events) == 1600


def test_at_gives_a_clock_stopped_at_the_moment():
    tenant = SandboxTenant(clock=at(datetime(2026, 1, 2, 3, 4, tzinfo=UTC)))

    person = tenant.create_person(firstname="Frozen", lastname="Time")

    assert person.created == int(datetime(2026, 1, 2, 3, 4, tzinfo=UTC).timestamp())
    assert tenant.clock.now() == datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def test_stream_events_carry_the_records_fields_when_switched_on_and_only_ids_otherwise():
    tenant = SandboxTenant(clock=SandboxClock(START))
    thin = tenant.create_person(firstname="Ada", lastname="Lovelace")
    tenant.stream_events_carry_fields = True
    fat = tenant.create_person(firstname="Grace", lastname="Hopper", folder="Cand:Active")
    tenant.update_person(fat.id, lastname="Murray Hopper")

    assert "fields" not in tenant.events[0]
    created, updated = tenant.events[1]["fields"], tenant.events[2]["fields"]
    assert (created["lastname"], created["folder"]["value"]) == ("Hopper", "Cand:Active")
    assert updated["lastname"] == "Murray Hopper"
    # The same names and shapes a profile GET answers, as of the change.
    assert updated == render_profile(tenant.people[fat.id], fields=None, api=tenant.links())
    assert thin.id != fat.id
