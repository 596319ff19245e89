"""Configuring endpoints: from the shell and the admin, the secret shown once and stored encrypted,
only HTTPS public addresses (or listed hosts), every change in the audit trail."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection as db_connection
from django.urls import reverse
from standardwebhooks import Webhook

from integrations.encryption import generate_key
from integrations.models import AuditEvent, PlatformWebhookEndpoint
from integrations.services.platform_webhook_deliver import platform_webhook_request
from integrations.services.platform_webhook_destination import platform_webhook_url_refusal

pytestmark = pytest.mark.django_db


def _command(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("platform_webhooks", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _raw_secret(pk: int) -> str:
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM integrations_platformwebhookendpoint WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_add_prints_the_secret_once_and_stores_it_encrypted(settings):
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1:8750"]

    out, err = _command(
        "add", "--url", "http://127.0.0.1:8750/hooks", "--events", "scheduling_request.created", "writeback.dead"
    )

    secret = out.strip()
    assert secret.startswith("whsec_") and "shown once" in err
    endpoint = PlatformWebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    assert endpoint.event_types == ["scheduling_request.created", "writeback.dead"]
    assert secret not in _raw_secret(endpoint.pk) and secret.removeprefix("whsec_") not in _raw_secret(endpoint.pk)
    listed, _ = _command("list")
    assert "http://127.0.0.1:8750/hooks" in listed and secret not in listed
    assert AuditEvent.objects.get(action=AuditEvent.Action.PLATFORM_WEBHOOK_ADDED).summary.startswith(
        f"endpoint {endpoint.pk} http://127.0.0.1:8750/hooks"
    )
    # A receiver verifies our signature with the printed secret, using the reference library.
    headers, body = platform_webhook_request(secret=endpoint.secret, event_id="evt_1", payload={"type": "x"})
    assert Webhook(secret).verify(body, headers) == {"type": "x"}


def test_rotate_secret_prints_a_new_one_and_remove_deletes_the_endpoint(settings):
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1:8750"]
    first, _ = _command("add", "--url", "http://127.0.0.1:8750/hooks")
    endpoint = PlatformWebhookEndpoint.objects.get()

    second, _ = _command("rotate-secret", str(endpoint.pk))
    assert second.strip() != first.strip() and second.strip().startswith("whsec_")
    endpoint.refresh_from_db()
    assert endpoint.secret == second.strip()

    _command("remove", "http://127.0.0.1:8750/hooks")
    assert not PlatformWebhookEndpoint.objects.exists()
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["platform_webhook_added", "platform_webhook_rotated", "platform_webhook_removed"]
    assert not any(first.strip() in e.summary or second.strip() in e.summary for e in AuditEvent.objects.all())


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://platform.example.com/hooks", "Use https://"),
        ("https://10.0.0.5/hooks", "not a public address"),
        ("https://127.0.0.1:8799/hooks", "not a public address"),
        ("https://169.254.169.254/latest", "not a public address"),
        ("https://user:pw@platform.example.com/hooks", "user name or password"),
        ("ftp://platform.example.com/", r"not an http\(s\) URL"),
    ],
)
def test_a_host_that_is_not_allowed_is_refused_and_nothing_is_added(url, why):
    with pytest.raises(CommandError, match=why):
        _command("add", "--url", url)
    assert not PlatformWebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_unknown_event_type_is_refused():
    with pytest.raises(CommandError, match="Unknown event type"):
        _command("add", "--url", "https://93.184.215.14/hooks", "--events", "candidate.hired")
    assert not PlatformWebhookEndpoint.objects.exists()


def test_a_name_resolving_to_an_internal_address_is_refused():
    assert "internal address 10.1.2.3" in platform_webhook_url_refusal(
        "https://hooks.example.com/", resolve=lambda host: ["10.1.2.3"]
    )
    assert platform_webhook_url_refusal("https://hooks.example.com/", resolve=lambda host: ["93.184.215.14"]) is None


def test_the_admin_shows_the_secret_once_and_refuses_a_host_not_allowed(superadmin_client, settings):
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1:8751"]
    add_url = reverse("admin:integrations_platformwebhookendpoint_add")

    refused = superadmin_client.post(add_url, {"url": "http://127.0.0.1:8752/hooks", "description": "x"})
    assert refused.status_code == 200
    assert "PLATFORM_WEBHOOK_ALLOWED_HOSTS does not list 127.0.0.1:8752" in refused.content.decode()
    assert not PlatformWebhookEndpoint.objects.exists()

    made = superadmin_client.post(
        add_url, {"url": "http://127.0.0.1:8751/hooks", "description": "staging", "event_types": ["writeback.dead"]}
    )
    endpoint = PlatformWebhookEndpoint.objects.get()
    assert "no-store" in made["Cache-Control"]
    assert endpoint.secret in made.content.decode()
    page = superadmin_client.get(reverse("admin:integrations_platformwebhookendpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200 and endpoint.secret not in page.content.decode()

    rotated = superadmin_client.post(
        reverse("admin:integrations_platformwebhookendpoint_rotate_secret", args=[endpoint.pk])
    )
    old_secret = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret in rotated.content.decode()
    assert AuditEvent.objects.filter(action="platform_webhook_rotated").count() == 1


def test_csms_do_not_see_platform_webhooks(csm_client):
    assert csm_client.get(reverse("admin:integrations_platformwebhookendpoint_changelist")).status_code == 403
    assert csm_client.get(reverse("admin:integrations_platformwebhookdelivery_changelist")).status_code == 403


def test_rotating_the_encryption_key_re_encrypts_endpoint_secrets(settings):
    old_key, new_key = generate_key(), generate_key()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1:8750"]
    secret, _ = _command("add", "--url", "http://127.0.0.1:8750/hooks")
    before = _raw_secret(PlatformWebhookEndpoint.objects.get().pk)

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    endpoint = PlatformWebhookEndpoint.objects.get()
    assert _raw_secret(endpoint.pk) != before
    assert endpoint.secret == secret.strip()
