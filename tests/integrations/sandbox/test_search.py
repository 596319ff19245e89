"""The Search API: filters, operators, groups, paging by id, errors, indexing delay and staleness."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from integrations.sandbox import SandboxTenant
from integrations.sandbox.clock import SandboxClock

from .conftest import CUSTOMER_URL, START, found_ids, search


def test_results_are_ids_with_self_links_ascending(api, tenant):
    response = search(api, "people", [{"name": "person.folder", "value": ["Cand:Active"], "operator": "="}])

    results = response.json()["searchResults"]
    expected = sorted(p.id for p in tenant.people.values() if p.folder.value == "Cand:Active")
    assert [result["id"] for result in results] == expected
    assert results[0] == {"id": expected[0], "self": f"{CUSTOMER_URL}/people/{expected[0]}"}


def test_a_list_filter_accepts_the_node_id_as_well_as_its_text(api, tenant):
    by_text = found_ids(search(api, "people", [{"name": "person.folder", "value": ["HM:Active"]}]))
    by_id = found_ids(search(api, "people", [{"name": "person.folder", "value": ["D32011"]}]))

    assert by_text == by_id
    assert by_text


def test_filters_combine_with_and_or_and_nested_groups(api, tenant):
    hm = {"name": "person.folder", "value": ["HM:Active"]}
    inactive = {"name": "person.folder", "value": ["HM:Inactive"]}
    low_ids = {"name": "person.id", "value": ["10"], "operator": "<="}

    either = found_ids(search(api, "people", [hm, inactive], operator="|"))
    both = found_ids(search(api, "people", [low_ids], children=[{"filters": [hm, inactive], "operator": "|"}]))

    users = {p.id for p in tenant.people.values() if p.folder.value in ("HM:Active", "HM:Inactive")}
    assert either == sorted(users)
    assert both == sorted(i for i in users if i <= 10)


def test_not_equal_excludes_the_listed_values(api, tenant):
    ids = found_ids(search(api, "jobs", [{"name": "job.folder", "value": ["Deleted"], "operator": "!="}]))

    assert ids == sorted(j.id for j in tenant.jobs.values() if j.folder.value != "Deleted")


def test_workflows_are_found_by_person_job_and_status(api, tenant):
    workflow = tenant.workflows[10005]

    ids = found_ids(
        search(
            api,
            "applicantworkflows",
            [
                {"name": "applicantworkflow.person.id", "value": [str(workflow.person)]},
                {"name": "applicantworkflow.job.id", "value": [str(workflow.job)]},
                {"name": "applicantworkflow.status", "value": [workflow.status.id]},
            ],
        )
    )

    assert 10005 in ids
    assert all(tenant.workflows[i].person == workflow.person for i in ids)


def test_email_matches_exactly_with_double_equals_and_by_substring_with_equals(api, tenant):
    person = tenant.create_person(firstname="Renée", lastname="Dubois", email="renee.dubois@example.org")
    tenant.clock.advance(minutes=6)

    exact = found_ids(
        search(api, "people", [{"name": "person.email", "value": ["renee.dubois@example.org"], "operator": "=="}])
    )
    contains = found_ids(search(api, "people", [{"name": "person.email", "value": ["@example.org"]}]))

    assert exact == contains == [person.id]


def test_updateddate_ranges_and_comparisons(api, tenant):
    tenant.update_job(1003, jobtitle="Łukasz's Team Lead")
    tenant.clock.advance(minutes=10)

    since = found_ids(
        search(api, "jobs", [{"name": "job.updateddate", "value": ["2026-11-26 06:00 PM"], "operator": ">="}])
    )
    in_range = found_ids(
        search(api, "jobs", [{"name": "job.updateddate", "value": ["2026-11-26"], "secondaryValue": ["2026-11-26"]}])
    )
    before = found_ids(
        search(api, "jobs", [{"name": "job.updateddate", "value": ["2026-11-26 06:00 PM"], "operator": "<"}])
    )

    assert since == in_range == [1003]
    assert 1003 not in before
    assert len(before) == len(tenant.jobs) - 1


def test_a_badly_formatted_date_is_ignored_so_everything_matches(api, tenant):
    ids = found_ids(search(api, "jobs", [{"name": "job.updateddate", "value": ["yesterday"], "operator": ">="}]))

    assert ids == sorted(tenant.jobs)


def test_paging_by_id_walks_past_1000_results():
    tenant = SandboxTenant.seeded(candidates=2500, users=10, jobs=1, workflows=0, seed=2, clock=SandboxClock(START))
    seen: list[int] = []
    last_id = 0
    while True:
        page = tenant.search(
            "people",
            {
                "filters": [
                    {"name": "person.folder", "value": ["Cand:Active", "Cand:Unreviewed", "Cand:Inactive"]},
                    {"name": "person.id", "value": [str(last_id)], "operator": ">"},
                ]
            },
            staleness_minutes=0,
        )
        seen += page
        if len(page) < 1000:
            break
        last_id = page[-1]

    assert len(seen) == 2500
    assert seen == sorted(seen)
    assert len(set(seen)) == 2500


def test_a_search_answers_at_most_1000_ids(api, tenant):
    for _ in range(3):  # 300 seeded + 900 new candidates
        for index in range(300):
            tenant.create_person(firstname="Yuki", lastname=f"Nakamura {index}")
    tenant.clock.advance(minutes=6)

    ids = found_ids(search(api, "people", [{"name": "person.id", "value": ["0"], "operator": ">"}]))

    assert len(ids) == 1000
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"filters": []}, "At least one filter must be specified"),
        ({}, "At least one filter must be specified"),
        (
            {"filters": [{"name": "person.shoesize", "value": ["42"]}]},
            "The following filter is either not valid or hidden: [person.shoesize]",
        ),
        (
            {"filters": [{"name": "person.folder", "value": ["Cand:Active"], "operator": ">"}]},
            "The following filter is either not valid or hidden: [person.folder]",
        ),
        (
            {"filters": [{"name": "person.id", "value": ["abc"], "operator": ">"}]},
            "The following filter is either not valid or hidden: [person.id]",
        ),
    ],
)
def test_a_bad_query_is_rejected_whole_with_the_icims_message(api, body, message):
    response = api.post(f"{CUSTOMER_URL}/search/people?staleness=0", json=body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["errorMessage"] == message


def test_a_body_that_is_not_json_is_a_clean_400(api):
    response = api.post(
        f"{CUSTOMER_URL}/search/people", data=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert "errors" in response.json()


def test_a_new_record_is_found_by_search_only_six_minutes_later_but_read_at_once(api, tenant):
    person = tenant.create_person(firstname="José", lastname="García")
    by_id = [{"name": "person.id", "value": [str(person.id)]}]

    assert api.get(f"{CUSTOMER_URL}/people/{person.id}").status_code == 200
    assert found_ids(search(api, "people", by_id)) == []
    tenant.clock.advance(minutes=5, seconds=59)
    assert found_ids(search(api, "people", by_id)) == []
    tenant.clock.advance(seconds=1)
    assert found_ids(search(api, "people", by_id)) == [person.id]


def test_search_sees_the_old_values_of_a_changed_record_until_it_is_reindexed(api, tenant):
    person = next(p for p in tenant.people.values() if p.folder.value == "Cand:Unreviewed")
    unreviewed = [
        {"name": "person.folder", "value": ["Cand:Unreviewed"]},
        {"name": "person.id", "value": [str(person.id)]},
    ]
    active = [{"name": "person.folder", "value": ["Cand:Active"]}, {"name": "person.id", "value": [str(person.id)]}]

    tenant.move_person(person.id, "Cand:Active")

    assert api.get(f"{CUSTOMER_URL}/people/{person.id}?fields=folder").json()["folder"]["value"] == "Cand:Active"
    assert found_ids(search(api, "people", unreviewed)) == [person.id]
    assert found_ids(search(api, "people", active)) == []
    tenant.clock.advance(minutes=6)
    assert found_ids(search(api, "people", unreviewed)) == []
    assert found_ids(search(api, "people", active)) == [person.id]


def test_a_cached_result_is_served_within_the_staleness_window(api, tenant):
    since = [{"name": "person.updateddate", "value": ["2026-11-26 06:00 PM"], "operator": ">="}]
    assert found_ids(search(api, "people", since, staleness=15)) == []

    person = tenant.create_person(firstname="Kwame", lastname="Okafor")
    tenant.clock.advance(minutes=7)

    assert found_ids(search(api, "people", since, staleness=15)) == []
    assert found_ids(search(api, "people", since, staleness=0)) == [person.id]
    tenant.clock.advance(minutes=16)
    assert found_ids(api.post(f"{CUSTOMER_URL}/search/people", json={"filters": since, "operator": "&"})) == [person.id]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
filter_items = st.fixed_dictionaries(
    {"name": st.sampled_from(["person.id", "person.folder", "person.updateddate", "person.email", "person.x"])},
    optional={
        "value": json_values,
        "secondaryValue": json_values,
        "operator": st.sampled_from(["=", "==", "!=", "!==", "<", ">", "<=", ">=", "~"]) | json_values,
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "filters": st.lists(filter_items | json_values, max_size=3),
        "operator": st.sampled_from(["&", "|", "^"]) | json_values,
        "children": st.lists(st.fixed_dictionaries({"filters": st.lists(filter_items, max_size=2)}), max_size=2),
    },
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(body=bodies | json_values)
def test_any_search_body_gets_results_or_a_400_never_a_crash(tenant, body):
    response = tenant.handle(
        "POST",
        "https://sandbox.icims.test/customers/1000/search/people",
        "staleness=0",
        {"authorization": "Basic c2FuZGJveC11c2VyOnNhbmRib3gtcGFzc3dvcmQ="},
        json.dumps(body).encode(),
    )

    assert response[0] in (200, 400)
    assert "searchResults" in json.loads(response[2]) or response[0] == 400


def test_an_undocumented_filter_is_refused_as_icims_refuses_it(api):
    body = {"filters": [{"name": "applicantworkflow.createddate", "value": ["2026-01-01"], "operator": ">"}]}

    response = api.post(f"{CUSTOMER_URL}/search/applicantworkflows", json=body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["errorMessage"] == (
        "The following filter is either not valid or hidden: [applicantworkflow.createddate]"
    )
