"""Personas and shared fixtures. Three personas, as in every permission test: the super admin,
the CSM (staff in the CSM group, not a superuser) and the anonymous visitor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis
import responses
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from integrations.models import Connection
from integrations.roles import CSM_GROUP_NAME
from integrations.sandbox import SandboxTenant
from integrations.sandbox.clock import SandboxClock
from integrations.sandbox.tenant import DEFAULT_STREAM_ID, DEFAULT_SUBSCRIPTION_ID

pytest_plugins = ["tests.celery_workers"]

SANDBOX_URL = "https://sandbox.icims.test"
SANDBOX_START = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


def _clear_shared_state() -> None:
    if not settings.REDIS_URL:
        cache.clear()
        return
    # Not cache.clear(): on Redis that empties the whole database, under the other test processes' feet.
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{settings.TEST_REDIS_KEY_PREFIX}*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def fresh_shared_state():
    """Tokens, budgets, breakers, the cache and the broker's queues start empty in every test (on Redis:
    only this test process's keys)."""
    _clear_shared_state()
    yield
    _clear_shared_state()


@pytest.fixture
def superadmin(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-root")


@pytest.fixture
def csm(db):
    user = get_user_model().objects.create_user("casey", "casey@example.com", "pw-casey", is_staff=True)
    user.groups.add(Group.objects.get(name=CSM_GROUP_NAME))
    return user


@pytest.fixture
def superadmin_client(client, superadmin):
    client.force_login(superadmin)
    return client


@pytest.fixture
def csm_client(client, csm):
    client.force_login(csm)
    return client


@pytest.fixture
def connection(db):
    return Connection.objects.create(
        name="Acme",
        customer_id="2187",
        stream_id="stream-acme",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="acme-client",
        client_secret="acme-secret-value-1234",
    )


@pytest.fixture
def ready_connection(connection):
    """The `connection` persona completed with Basic webhook credentials: valid under every admin rule."""
    connection.webhook_username = "icims-acme"
    connection.webhook_password = "acme-webhook-password-5678"
    connection.save()
    return connection


@pytest.fixture
def sandbox():
    """A small seeded iCIMS tenant answering every request to SANDBOX_URL, in-process."""
    tenant = SandboxTenant.seeded(
        candidates=300,
        users=20,
        jobs=40,
        workflows=400,
        seed=7,
        clock=SandboxClock(SANDBOX_START),
        base_url=SANDBOX_URL,
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        tenant.install(rsps, base_url=SANDBOX_URL)
        yield tenant


@pytest.fixture
def sandbox_connection(db):
    """A connection to the `sandbox` tenant with its own OAuth client (option 2)."""
    return Connection.objects.create(
        name="Sandbox",
        customer_id="1000",
        stream_id="sandbox-stream",
        # As the connection test resolves it against the sandbox (services/connection_stream_resolve.py).
        stream_resolved_for="sandbox-stream",
        stream_resolved_stream=DEFAULT_STREAM_ID,
        stream_resolved_subscription=DEFAULT_SUBSCRIPTION_ID,
        api_url_override=SANDBOX_URL,
        token_url_override=f"{SANDBOX_URL}/oauth/token",
        stream_url_override=f"{SANDBOX_URL}/datastream/v2",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        webhook_username="icims-sandbox",
        webhook_password="sandbox-webhook-password",
    )
