"""Personas and shared fixtures. Three personas, as in every permission test: the super admin,
the CSM (staff in the CSM group, not a superuser) and the anonymous visitor."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from integrations.models import Connection
from integrations.roles import CSM_GROUP_NAME


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
