"""What each list parameter accepts, as the schema states it: the cursor's format, empty values,
ids nobody can see, booleans. What the schema allows is answered; anything else is a 400 naming it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from integrations.api.pagination import CURSOR_PATTERN
from integrations.api.text_fields import NO_NUL_PATTERN

pytestmark = pytest.mark.django_db

SCHEDULING_REQUESTS = "/api/v1/scheduling-requests/"
WRITEBACKS = "/api/v1/writebacks/"
CONNECTIONS = "/api/v1/connections/"


def refused(response, parameter: str) -> str:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert parameter in error["details"], error
    return error["details"][parameter][0]


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def cursor_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["cursor"][0]


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def query_parameter(schema: dict, path: str, name: str) -> dict:
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query" and p["name"] == name)


# The cursor


def test_every_link_the_api_gives_matches_the_cursor_pattern_and_walks_both_ways(acme, acme_api, make_job):
    for icims_id in range(1001, 1026):
        make_job(acme, icims_id)
    url, forward, cursors = f"/api/v1/connections/{acme.pk}/jobs/?page_size=10", [], []
    while url:
        page = acme_api.get(url).json()
        forward.append([job["id"] for job in page["results"]])
        cursors += [cursor_of(link) for link in (page["next"], page["previous"]) if link]
        last, url = page, page["next"]
    assert [len(ids) for ids in forward] == [10, 10, 5]
    assert all(re.fullmatch(CURSOR_PATTERN.strip("^$"), cursor) for cursor in cursors), cursors

    back = acme_api.get(last["previous"]).json()
    assert [job["id"] for job in back["results"]] == forward[1]


@pytest.mark.parametrize("cursor", ["n", "p", "n1001", "p1001", "n1005o3", "n999999999999999999o9999", "n0000"])
def test_any_cursor_the_pattern_allows_is_answered(acme, acme_api, make_job, cursor):
    """Even one the API never gave: it is a position, and a page starts there (maybe an empty one)."""
    for icims_id in range(1001, 1011):
        make_job(acme, icims_id)
    assert re.fullmatch(CURSOR_PATTERN.strip("^$"), cursor)
    assert isinstance(results(acme_api.get(f"/api/v1/connections/{acme.pk}/jobs/", {"cursor": cursor})), list)


@pytest.mark.parametrize(
    "cursor",
    [
        *["", "garbage", "cD0xMDAx", "x1001", "n-5", "n1001o", "n1001o-1", "n1.5", "n1001\n", "n" + "9" * 19],
        "n\u0661\u0662",  # Arabic-Indic digits: Python calls them decimal, the pattern does not
    ],
)
def test_a_cursor_outside_the_pattern_is_a_400_naming_it(acme, acme_api, cursor):
    """Among them the old base64 cursors (`cD0xMDAx` is `p=1001`), and non-ASCII digits."""
    message = refused(acme_api.get(f"/api/v1/connections/{acme.pk}/jobs/", {"cursor": cursor}), "cursor")
    assert "pass back the `next` or `previous` link" in message


def test_the_schema_states_the_cursor_pattern_on_every_list(schema):
    lists = [path for path, operations in schema["paths"].items() if "cursor" in str(operations.get("get"))]
    assert len(lists) >= 6
    for path in lists:
        cursor = query_parameter(schema, path, "cursor")
        assert cursor["schema"] == {"type": "string", "pattern": CURSOR_PATTERN}, path
        assert "400" in schema["paths"][path]["get"]["responses"]


# Empty values


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        (CONNECTIONS, "customer_id"),
        (CONNECTIONS, "region"),
        (CONNECTIONS, "active"),
        (CONNECTIONS, "page_size"),
        (SCHEDULING_REQUESTS, "connection"),
        (SCHEDULING_REQUESTS, "candidate_id"),
        (SCHEDULING_REQUESTS, "state"),
        (SCHEDULING_REQUESTS, "created_since"),
        (WRITEBACKS, "scheduling_request"),
        (WRITEBACKS, "action"),
        ("/api/v1/connections/{acme}/candidates/", "folder"),
        ("/api/v1/connections/{acme}/candidates/", "scope_state"),
        ("/api/v1/connections/{acme}/candidates/", "updated_since"),
    ],
)
def test_a_filter_given_empty_is_a_400_not_a_missing_filter(acme, acme_api, url, parameter):
    message = refused(acme_api.get(url.format(acme=acme.pk), {parameter: ""}), parameter)
    assert message


def test_the_schema_says_text_filters_need_a_value(schema):
    for path, name in [
        (CONNECTIONS, "customer_id"),
        (SCHEDULING_REQUESTS, "workflow_id"),
        ("/api/v1/connections/{connection_id}/users/", "folder_id"),
    ]:
        assert query_parameter(schema, path, name)["schema"] == {
            "type": "string",
            "minLength": 1,
            "pattern": NO_NUL_PATTERN,
        }


def test_a_null_character_in_a_text_filter_is_a_400(acme, acme_api):
    assert refused(acme_api.get(SCHEDULING_REQUESTS, {"workflow_id": "10\x002"}), "workflow_id")


def test_a_text_filter_matches_the_value_as_sent(acme, acme_api, make_scheduling_request):
    make_scheduling_request(acme, 1, candidate_id=42)
    assert [r["candidate_id"] for r in results(acme_api.get(SCHEDULING_REQUESTS, {"candidate_id": "42"}))] == ["42"]
    assert results(acme_api.get(SCHEDULING_REQUESTS, {"candidate_id": " 42"})) == []  # not stripped into "42"
    assert results(acme_api.get(SCHEDULING_REQUESTS, {"candidate_id": " "})) == []  # not read as "no filter"


# Ids in filters


def test_an_unknown_connection_id_is_an_empty_page(acme, globex, acme_api, make_scheduling_request):
    make_scheduling_request(acme, 1)
    make_scheduling_request(globex, 2)
    assert len(results(acme_api.get(SCHEDULING_REQUESTS, {"connection": acme.pk}))) == 1
    assert results(acme_api.get(SCHEDULING_REQUESTS, {"connection": 987654})) == []
    # Another tenant's id looks exactly like one that does not exist: nothing leaks.
    assert results(acme_api.get(SCHEDULING_REQUESTS, {"connection": globex.pk})) == []
    assert results(acme_api.get(WRITEBACKS, {"connection": globex.pk})) == []


def test_an_unknown_scheduling_request_id_is_an_empty_page_whoever_owns_it(
    acme, globex, acme_api, make_scheduling_request
):
    elsewhere = make_scheduling_request(globex, 2)
    assert results(acme_api.get(WRITEBACKS, {"scheduling_request": elsewhere.pk})) == []
    assert results(acme_api.get(WRITEBACKS, {"scheduling_request": 2**63 - 1})) == []


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.0", "+1", " 1", str(2**63), "\u0661"])
def test_an_id_filter_that_is_not_an_id_is_a_400(acme, acme_api, value):
    assert "whole number" in refused(acme_api.get(SCHEDULING_REQUESTS, {"connection": value}), "connection")
    assert "whole number" in refused(acme_api.get(WRITEBACKS, {"scheduling_request": value}), "scheduling_request")


def test_the_schema_states_the_id_filters_range_and_what_an_unknown_id_gets(schema):
    connection = query_parameter(schema, SCHEDULING_REQUESTS, "connection")
    assert connection["schema"] == {"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1}
    assert "empty page" in connection["description"]


# Booleans


@pytest.mark.parametrize("value", ["null", "True", "1", "yes", "maybe"])
def test_a_boolean_filter_takes_true_or_false_only(acme, acme_api, value):
    assert refused(acme_api.get(CONNECTIONS, {"active": value}), "active") == "`true` or `false`."


def test_the_active_filter_filters(acme, globex, platform_api):
    globex.is_active = False
    globex.save()
    assert [c["name"] for c in results(platform_api.get(CONNECTIONS, {"active": "true"}))] == ["Acme"]
    assert [c["name"] for c in results(platform_api.get(CONNECTIONS, {"active": "false"}))] == ["Globex"]
