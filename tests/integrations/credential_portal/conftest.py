"""A connection on the platform's own clients (option 1) whose customer is to hand over its own."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integrations.models import Connection
from integrations.services.credential_links import credential_link_create


@pytest.fixture
def waiting_connection(sandbox, sandbox_connection):
    """The sandbox tenant, still on the platform's clients, with no customer credentials stored."""
    Connection.objects.filter(pk=sandbox_connection.pk).update(
        credential_mode=Connection.CredentialMode.PLATFORM,
        client_id="",
        client_secret="",
        interview_sync_enabled=True,
        credentials_verified_at=None,
        last_test_result={},
    )
    sandbox_connection.refresh_from_db()
    return sandbox_connection


@pytest.fixture
def issued(waiting_connection, superadmin):
    return credential_link_create(connection=waiting_connection, created_by=superadmin, expires_in=timedelta(hours=72))


@pytest.fixture
def link_url(issued):
    return f"/credentials/{issued.token}/"
