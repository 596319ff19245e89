"""The development portal's starting state: an admin and a connection to the sandbox tenant."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from sync.services.sync_states_ensure import sync_states_ensure

from ..models import Connection
from ..sandbox.tenant import DEFAULT_STREAM_ID, DEFAULT_SUBSCRIPTION_ID
from ..sandbox.webhooks import DEFAULT_WEBHOOK_PASSWORD, DEFAULT_WEBHOOK_USERNAME

DEV_ADMIN_USERNAME = "admin"
SANDBOX_CUSTOMER_ID = "1000"


@dataclass(frozen=True)
class DevSeedResult:
    admin_username: str
    connection: Connection


@transaction.atomic
def dev_seed(*, admin_password: str, sandbox_url: str) -> DevSeedResult:
    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(
        username=DEV_ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.com"}
    )
    admin.is_staff = admin.is_superuser = admin.is_active = True
    admin.set_password(admin_password)
    admin.save()

    connection, _ = Connection.objects.update_or_create(
        customer_id=SANDBOX_CUSTOMER_ID,
        defaults={
            "name": "Sandbox tenant",
            "stream_id": DEFAULT_STREAM_ID,
            # What the connection test finds in the sandbox; `icims_connection test` refreshes it.
            "stream_resolved_for": DEFAULT_STREAM_ID,
            "stream_resolved_stream": DEFAULT_STREAM_ID,
            "stream_resolved_subscription": DEFAULT_SUBSCRIPTION_ID,
            "api_url_override": sandbox_url,
            "token_url_override": f"{sandbox_url}/oauth/token",
            "stream_url_override": f"{sandbox_url}/datastream/v2",
            "credential_mode": Connection.CredentialMode.CUSTOMER,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            # What the sandbox sends with its status-change webhooks by default (integrations/sandbox/webhooks.py).
            "webhook_auth": Connection.WebhookAuth.BASIC,
            "webhook_username": DEFAULT_WEBHOOK_USERNAME,
            "webhook_password": DEFAULT_WEBHOOK_PASSWORD,
        },
    )
    sync_states_ensure(connection=connection)  # the dispatcher's next tick syncs it
    return DevSeedResult(admin_username=admin.username, connection=connection)
