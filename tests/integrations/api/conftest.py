"""Two tenants (Acme and Globex), tokens walled to each, and mirror rows to read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from integrations.models import Connection, SchedulingRequest, Stage
from integrations.services.api_tokens import api_token_create
from sync.models import Candidate, IcimsUser, Job

SYNCED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def acme(connection):
    return connection


@pytest.fixture
def globex(db):
    return Connection.objects.create(name="Globex", customer_id="3100", region="eu")


def api_client(plaintext: str | None) -> APIClient:
    client = APIClient()
    if plaintext is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.fixture
def acme_token(acme):
    return api_token_create(name="platform for Acme", connections=[acme])


@pytest.fixture
def acme_api(acme_token):
    """The scheduling platform with a token that sees Acme only."""
    return api_client(acme_token.plaintext)


@pytest.fixture
def globex_api(globex):
    return api_client(api_token_create(name="platform for Globex", connections=[globex]).plaintext)


@pytest.fixture
def platform_api(acme, globex):
    """A token that sees every connection."""
    return api_client(api_token_create(name="platform", all_connections=True).plaintext)


@pytest.fixture
def anonymous_api():
    return api_client(None)


def mirror_row(model, connection, icims_id: int, **values):
    defaults = {
        "synced_at": SYNCED,
        "seen_at": SYNCED,
        "updateddate": SYNCED - timedelta(days=1),
        "folder": "Cand:Active" if model is Candidate else "HM:Active" if model is IcimsUser else "Open",
    }
    return model.objects.create(connection=connection, icims_id=icims_id, **{**defaults, **values})


@pytest.fixture
def make_candidate():
    return lambda connection, icims_id, **values: mirror_row(Candidate, connection, icims_id, **values)


@pytest.fixture
def make_user():
    return lambda connection, icims_id, **values: mirror_row(IcimsUser, connection, icims_id, **values)


@pytest.fixture
def make_job():
    return lambda connection, icims_id, **values: mirror_row(Job, connection, icims_id, **values)


@pytest.fixture
def make_scheduling_request():
    def make(
        connection,
        workflow_id: int,
        *,
        state=SchedulingRequest.State.PENDING,
        candidate_id: int = 501,
        job_id: int = 1001,
        status_id: str = "C51218",
    ):
        stage, _ = Stage.objects.get_or_create(
            connection=connection,
            status_id=status_id,
            defaults={"bin": "Interview", "status": "Availability Requested", "triggers_scheduling": True},
        )
        return SchedulingRequest.objects.create(
            connection=connection,
            workflow_id=str(workflow_id),
            candidate_id=str(candidate_id),
            job_id=str(job_id),
            trigger_stage=stage,
            state=state,
        )

    return make
