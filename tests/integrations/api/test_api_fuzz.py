"""Whatever the platform sends (any path id, query parameter, method or body, on every endpoint the
schema documents), the API answers with a 2xx or a 4xx in its JSON error shape: never a 5xx."""

from __future__ import annotations

import functools
import json
import re
from urllib.parse import quote, urlencode, urlsplit

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from integrations.models import SchedulingRequest
from integrations.services.api_tokens import api_token_create
from integrations.services.resume_links import resume_link_sign
from sync.models import Candidate, Job
from tests.integrations.conftest import CANDIDATE_ID, JOB_ID, WORKFLOW_ID

from .conftest import SYNCED

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "patch", "put", "delete")


@functools.cache
def documented_operations() -> list[tuple[str, str, list[str]]]:
    """(path template, method, query parameter names) of every operation in the schema under /api/v1/."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method.upper(), [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"])
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in operations.items()
        if method in METHODS
    ]


texts = st.text(max_size=60) | st.sampled_from(
    [
        "",
        "0",
        "-1",
        "1e9",
        "9" * 30,
        "\x00",
        "null",
        "%00",
        "../..",
        "2026-11-26T10:00:00Z",
        "in_scope",
        "any",
        "pending",
        "true",
    ]
)
ids = st.integers(min_value=-5, max_value=2**70).map(str) | texts
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=12,
)
interview_like = st.fixed_dictionaries(
    {},
    optional={
        "external_id": texts,
        "title": texts,
        "start_time": texts,
        "end_time": texts,
        "location": texts,
        "interviewers": st.lists(st.fixed_dictionaries({}, optional={"person_id": json_values, "email": texts})),
        "form_id": texts,
        "interviewer_person_id": json_values,
        "interview_external_id": texts,
    },
)
bodies = st.binary(max_size=200) | (json_values | interview_like).map(lambda value: json.dumps(value).encode())


@pytest.fixture
def world(sandbox, sandbox_connection, sandbox_stages, settings):
    settings.API_RATE_LIMIT = ""
    settings.API_LIVE_MAX_ATTEMPTS = 1
    sandbox_connection.interview_sync_enabled = sandbox_connection.feedback_enabled = True
    sandbox_connection.auto_advance_enabled = True
    sandbox_connection.save()
    for icims_id in (21, 22, 23):
        Candidate.objects.create(connection=sandbox_connection, icims_id=icims_id, synced_at=SYNCED, seen_at=SYNCED)
    Job.objects.create(connection=sandbox_connection, icims_id=1001, synced_at=SYNCED, seen_at=SYNCED)
    request = SchedulingRequest.objects.create(
        connection=sandbox_connection,
        workflow_id=WORKFLOW_ID,
        candidate_id=CANDIDATE_ID,
        job_id=JOB_ID,
        trigger_stage=sandbox_stages["trigger"],
    )
    token = api_token_create(name="fuzz", connections=[sandbox_connection]).plaintext
    signed = resume_link_sign(connection=sandbox_connection, candidate_id=21).signed
    return {
        "connection_id": str(sandbox_connection.pk),
        "request_id": str(request.pk),
        "token": token,
        "signed": signed,
    }


def path_for(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: quote(values[match.group(1)], safe=""), template)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_no_request_gets_a_server_error(world, data):
    template, documented_method, query_names = data.draw(st.sampled_from(documented_operations()))
    values = {
        "connection_id": data.draw(st.just(world["connection_id"]) | ids),
        "id": data.draw(st.sampled_from([world["connection_id"], world["request_id"]]) | ids),
        "icims_id": data.draw(st.sampled_from(["21", "22", "1001", "1002"]) | ids),
        "signed": data.draw(st.just(world["signed"]) | texts),
        "external_id": data.draw(st.just("gt-1") | texts),
    }
    query = data.draw(st.lists(st.tuples(st.sampled_from([*query_names, "cursor", "x"]) | texts, texts), max_size=4))
    method = data.draw(st.just(documented_method) | st.sampled_from(["GET", "POST", "PATCH", "DELETE", "OPTIONS"]))
    body = data.draw(bodies)
    authorization = data.draw(st.just(f"Bearer {world['token']}") | st.just(None) | texts.map(lambda t: "Bearer " + t))

    client = APIClient(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    url = path_for(template, values) + ("?" + urlencode(query) if query else "")
    response = client.generic(method, url, body, content_type="application/json", **headers)

    assert response.status_code < 500, (method, url, body[:200], response.content[:500])
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}, (url, response.content[:500])
    if response.status_code < 300 and not urlsplit(url).path.startswith("/api/v1/resume-files/"):
        assert response["Content-Type"] == "application/json"
