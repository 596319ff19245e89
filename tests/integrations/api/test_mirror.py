"""Mirrored jobs, candidates and users: in scope by default, filterable, cursor-paginated, walled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sync.models import ScopeState

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_candidates_list_in_scope_by_default_ordered_by_icims_id(acme, acme_api, make_candidate):
    make_candidate(acme, 30, firstname="Ada", email="ada@example.com")
    make_candidate(acme, 10)
    make_candidate(acme, 20, scope_state=ScopeState.LEFT_SCOPE)
    make_candidate(acme, 40, scope_state=ScopeState.DELETED)
    url = f"/api/v1/connections/{acme.pk}/candidates/"
    assert ids(acme_api.get(url)) == [10, 30]
    assert ids(acme_api.get(url, {"scope_state": "left_scope"})) == [20]
    assert ids(acme_api.get(url, {"scope_state": "any"})) == [10, 20, 30, 40]
    ada = acme_api.get(url).json()["results"][1]
    assert ada["first_name"] == "Ada" and ada["email"] == "ada@example.com"
    assert "raw" not in ada


def test_a_record_is_fetched_by_icims_id_whatever_its_scope(acme, acme_api, make_candidate):
    make_candidate(acme, 20, scope_state=ScopeState.LEFT_SCOPE)
    response = acme_api.get(f"/api/v1/connections/{acme.pk}/candidates/20/")
    assert response.status_code == 200
    assert response.json()["scope_state"] == "left_scope"
    assert acme_api.get(f"/api/v1/connections/{acme.pk}/candidates/21/").status_code == 404


def test_filters_by_folder_and_updated_since(acme, acme_api, make_candidate):
    make_candidate(acme, 1, folder="Cand:Active", updateddate=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    make_candidate(acme, 2, folder="Cand:Unreviewed", updateddate=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    make_candidate(acme, 3, folder="Cand:Active", updateddate=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    url = f"/api/v1/connections/{acme.pk}/candidates/"
    assert ids(acme_api.get(url, {"folder": "cand:active"})) == [1, 3]
    assert ids(acme_api.get(url, {"updated_since": "2026-11-20T09:00:00Z"})) == [2, 3]
    assert ids(acme_api.get(url, {"updated_since": "2026-11-20T10:00:00+01:00"})) == [2, 3]
    assert ids(acme_api.get(url, {"folder": "Cand:Active", "updated_since": "2026-11-02"})) == [3]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"updated_since": "last tuesday"}, "updated_since"),
        ({"scope_state": "gone"}, "scope_state"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(acme, acme_api, params, field):
    response = acme_api.get(f"/api/v1/connections/{acme.pk}/candidates/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["details"]


def test_cursor_pagination_walks_every_record_once(acme, acme_api, make_job):
    for icims_id in range(1001, 1026):
        make_job(acme, icims_id, jobtitle=f"Job {icims_id}")
    seen, url = [], f"/api/v1/connections/{acme.pk}/jobs/?page_size=10"
    pages = 0
    while url:
        page = acme_api.get(url).json()
        seen += [job["id"] for job in page["results"]]
        url, pages = page["next"], pages + 1
    assert seen == list(range(1001, 1026))
    assert pages == 3


def test_a_forged_cursor_is_a_400(acme, acme_api, make_job):
    import base64

    make_job(acme, 1001)
    url = f"/api/v1/connections/{acme.pk}/jobs/"
    for cursor in ["garbage", base64.b64encode(b"p=not-a-number").decode(), base64.b64encode(b"o=-3").decode()]:
        response = acme_api.get(url, {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert "cursor" in response.json()["error"]["details"]


def test_jobs_show_their_hiring_team_as_mirrored(acme, acme_api, make_job):
    make_job(acme, 1001, jobtitle="Welder", jobid="2026-1001", hiringmanager_icims_id=5, hiringmanager_name="Hana Li")
    job = acme_api.get(f"/api/v1/connections/{acme.pk}/jobs/1001/").json()
    assert job["title"] == "Welder" and job["job_number"] == "2026-1001"
    assert job["hiring_manager"] == {"id": 5, "name": "Hana Li"}
    assert job["recruiter"] is None


def test_users_are_listed_per_connection(acme, globex, platform_api, make_user):
    make_user(acme, 5, email="hana@acme.example")
    make_user(globex, 5, email="hana@globex.example")
    acme_users = platform_api.get(f"/api/v1/connections/{acme.pk}/users/").json()["results"]
    assert [user["email"] for user in acme_users] == ["hana@acme.example"]


def test_another_tenants_records_are_not_found(acme, globex, acme_api, make_candidate):
    make_candidate(globex, 77)
    assert acme_api.get(f"/api/v1/connections/{globex.pk}/candidates/77/").status_code == 404
    assert acme_api.get(f"/api/v1/connections/{acme.pk}/candidates/77/").status_code == 404


@pytest.mark.parametrize("page_size", ["0", "-5", "1001", "null", "", "2.5"])
def test_a_page_size_outside_what_the_schema_allows_is_refused(acme_api, acme, page_size):
    response = acme_api.get(f"/api/v1/connections/{acme.pk}/jobs/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"page_size": ["A whole number from 1 to 1000."]}


def test_the_schema_states_the_page_size_limits(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parameters = schema["paths"]["/api/v1/connections/{connection_id}/jobs/"]["get"]["parameters"]

    page_size = next(parameter for parameter in parameters if parameter["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
