"""Resumes are served through the portal by a signed, short-lived link: no token needed to follow it,
and nothing but a fresh link from us opens it."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.core import signing

from integrations.services.api_tokens import api_token_create

from .conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_api(sandbox, sandbox_connection):
    return api_client(api_token_create(name="platform", connections=[sandbox_connection]).plaintext)


def person_id(sandbox, *, has_resume: bool) -> int:
    return next(p.id for p in sandbox.people.values() if not p.is_user and p.has_resume is has_resume)


def resume_link(api, connection, candidate_id) -> dict:
    response = api.get(f"/api/v1/connections/{connection.pk}/candidates/{candidate_id}/resume/")
    assert response.status_code == 200, response.content
    return response.json()


def follow(link: dict, client=None):
    parts = urlsplit(link["url"])
    return (client or api_client(None)).get(parts.path)


def test_the_link_serves_the_file_from_icims_with_its_content_type(sandbox, sandbox_connection, sandbox_api):
    candidate = person_id(sandbox, has_resume=True)
    link = resume_link(sandbox_api, sandbox_connection, candidate)
    assert link["url"].startswith("http://testserver/api/v1/resume-files/")
    assert link["expires_at"]
    response = follow(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="resume-{candidate}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    assert sandbox.people[candidate].full_name.encode("ascii", "replace") in response.content


def test_a_candidate_without_a_resume_gets_a_json_404(sandbox, sandbox_connection, sandbox_api):
    link = resume_link(sandbox_api, sandbox_connection, person_id(sandbox, has_resume=False))
    response = follow(link)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_resume"


def test_an_expired_link_is_refused(sandbox, sandbox_connection, sandbox_api, monkeypatch, settings):
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - settings.API_RESUME_LINK_MAX_AGE - 5)
    link = resume_link(sandbox_api, sandbox_connection, person_id(sandbox, has_resume=True))
    monkeypatch.setattr(signing.time, "time", real_time)
    response = follow(link)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "link_expired"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda signed: signed[:-1] + ("A" if signed[-1] != "A" else "B"),  # signature altered
        lambda signed: "garbage",
        lambda signed: signing.TimestampSigner(salt="another-purpose").sign_object({"c": 1, "p": 5}),
        lambda signed: signing.TimestampSigner(key="not-our-secret", salt="integrations.resume-link").sign_object(
            {"c": 1, "p": 5}
        ),
    ],
)
def test_a_forged_link_is_not_found(sandbox, sandbox_connection, sandbox_api, tamper):
    link = resume_link(sandbox_api, sandbox_connection, person_id(sandbox, has_resume=True))
    signed = urlsplit(link["url"]).path.rstrip("/").rsplit("/", 1)[1]
    response = api_client(None).get(f"/api/v1/resume-files/{tamper(signed)}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_icims_failing_while_serving_the_file_is_a_503(sandbox, sandbox_connection, sandbox_api, settings):
    settings.API_LIVE_MAX_ATTEMPTS = 1
    link = resume_link(sandbox_api, sandbox_connection, person_id(sandbox, has_resume=True))
    sandbox.faults.inject("error", count=1, path="/resume/")
    response = follow(link)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "icims_unavailable"


def test_a_link_is_only_handed_out_within_the_tokens_tenants(sandbox, sandbox_connection, acme_api):
    response = acme_api.get(f"/api/v1/connections/{sandbox_connection.pk}/candidates/25/resume/")
    assert response.status_code == 404
