"""Each endpoint against recorded-shape payloads: the right URL, the right body, the right answer."""

from __future__ import annotations

import json

import pytest
from responses import matchers

from integrations.icims.data_stream import StreamNotResolved
from integrations.icims.errors import IcimsNotFound
from tests.fixtures.icims import icims_fixture

from .support import CUSTOMER_URL, RATE_HEADERS, STREAM_URL, config, make_client


def test_get_customer_reads_the_customer_as_a_health_check(client, icims):
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"), headers=RATE_HEADERS)

    assert client.get_customer()["id"] == 2187


def test_get_person_asks_only_for_the_fields_it_needs(client, icims):
    icims.get(
        f"{CUSTOMER_URL}/people/8986",
        json=icims_fixture("person"),
        match=[matchers.query_param_matcher({"fields": "firstname,lastname,email"})],
    )

    person = client.get_person(8986, fields=["firstname", "lastname", "email"])

    assert person["email"] == "jane@example.com"
    assert person["folder"]["id"] == "D32006"


def test_get_job_without_fields_sends_no_fields_parameter(client, icims):
    icims.get(f"{CUSTOMER_URL}/jobs/1026", json=icims_fixture("job"), match=[matchers.query_param_matcher({})])

    assert client.get_job(1026)["hiringmanager"]["id"] == 564


def test_get_applicant_workflow_returns_the_status(client, icims):
    icims.get(f"{CUSTOMER_URL}/applicantworkflows/13437", json=icims_fixture("applicantworkflow"))

    assert client.get_applicant_workflow("13437")["status"]["id"] == "D10100"


def test_every_request_sends_the_bearer_token(client, icims):
    call = icims.get(f"{CUSTOMER_URL}/jobs/1026", json=icims_fixture("job"))

    client.get_job(1026)

    assert call.calls[0].request.headers["Authorization"] == f"Bearer {icims_fixture('token')['access_token']}"


def test_search_posts_the_filters_and_yields_ids(client, icims):
    filters = [{"name": "person.folder", "value": ["Cand:Active"], "operator": "="}]
    icims.post(
        f"{CUSTOMER_URL}/search/people",
        json=icims_fixture("search_page"),
        match=[
            matchers.query_param_matcher({"staleness": "0"}),
            matchers.json_params_matcher({"filters": filters, "operator": "&"}),
        ],
    )

    assert list(client.search("people", filters)) == [1000, 1001, 8986]


def test_search_pages_past_1000_results_by_id(client, icims):
    first_page = {
        "searchResults": [{"id": n, "self": f"{CUSTOMER_URL}/applicantworkflows/{n}"} for n in range(1, 1001)]
    }
    filters = [{"name": "applicantworkflow.updateddate", "value": ["2026-11-26 01:30 PM"], "operator": ">="}]
    icims.post(
        f"{CUSTOMER_URL}/search/applicantworkflows",
        json=first_page,
        match=[matchers.json_params_matcher({"filters": filters, "operator": "|"})],
    )
    second = icims.post(
        f"{CUSTOMER_URL}/search/applicantworkflows",
        json={"searchResults": [{"id": 1001, "self": "x"}]},
        match=[
            matchers.json_params_matcher(
                {
                    "operator": "|",
                    "filters": [*filters, {"name": "applicantworkflow.id", "value": ["1000"], "operator": ">"}],
                }
            )
        ],
    )

    ids = list(client.search("applicantworkflows", filters, operator="|"))

    assert ids == [*range(1, 1001), 1001]
    assert second.call_count == 1


def test_search_with_no_results_yields_nothing(client, icims):
    icims.post(f"{CUSTOMER_URL}/search/jobs", json=icims_fixture("search_empty"))

    assert list(client.search("jobs", [{"name": "job.folder", "value": ["Approved"]}], staleness=15)) == []
    assert icims.calls[-1].request.params == {"staleness": "15"}


def test_moving_a_candidate_patches_the_workflow_status(client, icims):
    patch = icims.patch(
        f"{CUSTOMER_URL}/applicantworkflows/13437",
        status=204,
        headers=RATE_HEADERS,
        match=[matchers.json_params_matcher({"status": {"id": "C51218"}})],
    )

    client.update_applicant_workflow_status(13437, status_id="C51218")

    assert patch.call_count == 1


def test_a_resume_comes_back_as_bytes_with_its_content_type(client, icims):
    icims.get(
        f"{CUSTOMER_URL}/people/8986/fields/resume/binary", body=b"%PDF-1.4 resume", content_type="application/pdf"
    )

    resume = client.get_resume(8986)

    assert resume.content == b"%PDF-1.4 resume"
    assert resume.content_type == "application/pdf"


def test_a_json_answer_for_a_resume_means_there_is_none(client, icims):
    icims.get(f"{CUSTOMER_URL}/people/8986/fields/resume/binary", json={})

    assert client.get_resume(8986) is None


def test_the_resume_url_points_at_the_binary_field(state, clock):
    assert make_client(state, clock).resume_url(8986) == f"{CUSTOMER_URL}/people/8986/fields/resume/binary"


def test_lists_are_listed(client, icims):
    icims.get(f"{CUSTOMER_URL}/v2/lists", json=icims_fixture("lists"))

    assert "lists.person.folders" in client.get_lists()


def test_list_nodes_follow_the_next_link(client, icims):
    icims.get(
        f"{CUSTOMER_URL}/v2/lists/lists.person.folders",
        json=icims_fixture("list_nodes_page1"),
        match=[matchers.query_param_matcher({"size": "2"})],
    )
    icims.get(
        f"{CUSTOMER_URL}/v2/lists/lists.person.folders",
        json=icims_fixture("list_nodes_page2"),
        match=[matchers.query_param_matcher({"size": "2", "page": "2"})],
    )

    nodes = list(client.get_list_nodes("lists.person.folders", size=2))

    assert [node["value"] for node in nodes] == ["Cand:Unreviewed", "Cand:Active", "HM:Active"]


SUBSCRIPTION = "b62922f4c1e94b0f8e0f2d8a7c3b5e61"
EVENTS_URL = f"{STREAM_URL}/streams/2187/subscriptions/{SUBSCRIPTION}/events"


@pytest.fixture
def stream_client(state, clock, token_endpoint):
    return make_client(state, clock, client_config=config(stream_id="2187", subscription_id=SUBSCRIPTION))


def test_data_stream_streams_and_subscriptions(client, icims):
    icims.get(f"{STREAM_URL}/streams/", json=icims_fixture("stream_streams"))
    icims.get(f"{STREAM_URL}/streams/2187/subscriptions", json=icims_fixture("stream_subscriptions"))

    assert client.get_streams() == ["2187"]
    assert client.get_stream_subscriptions("2187")[0]["subscriptionId"] == SUBSCRIPTION


def test_data_stream_events_are_read_at_the_resolved_stream_and_subscription(stream_client, icims):
    icims.get(EVENTS_URL, json=icims_fixture("stream_events_page1"), match=[matchers.query_param_matcher({})])
    icims.get(
        EVENTS_URL,
        json=icims_fixture("stream_events_page2"),
        match=[matchers.query_param_matcher({"exclusiveStartKey": "key-page-1"})],
    )

    events = list(stream_client.get_stream_events("acme-stream-id-as-configured"))

    assert [event["eventId"] for event in events] == ["evt-0001", "evt-0002", "evt-0003"]


def test_data_stream_pages_resume_from_a_saved_key_and_stop_on_the_empty_last_key(stream_client, icims):
    icims.get(
        EVENTS_URL,
        json=icims_fixture("stream_events_page2"),
        match=[matchers.query_param_matcher({"exclusiveStartKey": "key-page-1"})],
    )

    pages = list(stream_client.stream_event_pages("2187", start_key="key-page-1"))

    assert icims_fixture("stream_events_page2")["lastEvaluatedKey"] == ""
    assert pages == [(icims_fixture("stream_events_page2")["events"], None)]


def test_an_unresolved_stream_id_is_refused_without_a_call(state, clock, icims):
    unresolved = make_client(state, clock)

    with pytest.raises(StreamNotResolved, match="run the connection test"):
        unresolved.stream_events_page("stream-acme")

    assert len(icims.calls) == 0


def test_a_missing_profile_raises_not_found(client, icims):
    icims.get(f"{CUSTOMER_URL}/jobs/9", status=404, json=icims_fixture("error_not_found"))

    with pytest.raises(IcimsNotFound, match="Job not found"):
        client.get_job(9)


def test_no_token_or_secret_is_logged(client, icims, caplog):
    icims.get(f"{CUSTOMER_URL}/jobs/1026", json=icims_fixture("job"), headers=RATE_HEADERS)

    with caplog.at_level("DEBUG"):
        client.get_job(1026)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert icims_fixture("token")["access_token"] not in logged
    assert "acme-secret-value-1234" not in logged
    assert RATE_HEADERS["x-transaction"] in logged
    assert "19902/20000" in logged
    assert json.dumps(icims_fixture("token")) not in logged
