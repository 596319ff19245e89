"""The customer's credential link: opened without signing in, tested at once, stored only if it works,
usable once, expiring, rate limited, and every use in the audit trail."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

import pytest
from django.db import connection as db
from django.utils import timezone

from integrations.models import AuditEvent, Connection, CredentialLink
from integrations.selectors.connection_onboarding import connection_onboarding_checklist

pytestmark = pytest.mark.django_db

RIGHT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}
WRONG = {"client_id": "sandbox-client", "client_secret": "not-the-secret-9876"}


def _actions(connection) -> list[str]:
    return list(AuditEvent.objects.filter(connection=connection).order_by("pk").values_list("action", flat=True))


def _credentials_step(connection):
    steps = connection_onboarding_checklist(connection=connection)
    return next(step for step in steps if step.label == "Credentials verified")


def test_the_page_opens_without_signing_in_and_lists_the_scopes_to_grant(client, link_url, waiting_connection):
    page = client.get(link_url)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Sandbox" in html and "CustomerId <strong>1000</strong>" in html
    for scope in waiting_connection.required_scopes():
        assert scope in html
    assert "interview-service:interview:create" in html  # interview sync back is on
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert CredentialLink.objects.get().opened_at is not None
    assert _actions(waiting_connection) == ["credential_link_created", "credential_link_opened"]


def test_the_right_secret_is_tested_stored_encrypted_and_ticks_the_checklist(client, link_url, waiting_connection):
    answer = client.post(link_url, RIGHT)

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Your credentials work" in html and "iCIMS issued a new access token" in html
    waiting_connection.refresh_from_db()
    assert waiting_connection.credential_mode == Connection.CredentialMode.CUSTOMER
    assert (waiting_connection.client_id, waiting_connection.client_secret) == ("sandbox-client", "sandbox-secret")
    with db.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM integrations_connection WHERE id = %s", [waiting_connection.pk])
        stored = cursor.fetchone()[0]
    assert "sandbox-secret" not in stored  # encrypted at rest
    assert waiting_connection.last_test_result["ok"] is True
    assert "credential link" in waiting_connection.last_test_result["by"]
    step = _credentials_step(waiting_connection)
    assert step.done and "credentials received and verified" in step.detail
    assert _actions(waiting_connection)[-2:] == ["secret_changed", "credential_link_accepted"]


def test_a_used_link_is_refused_the_second_time_and_changes_nothing(client, link_url, waiting_connection):
    assert client.post(link_url, RIGHT).status_code == 200

    opened = client.get(link_url)
    posted = client.post(link_url, {"client_id": "someone-else", "client_secret": "sandbox-secret"})

    assert opened.status_code == posted.status_code == 410
    assert "already been used" in posted.content.decode()
    waiting_connection.refresh_from_db()
    assert waiting_connection.client_id == "sandbox-client"
    assert _actions(waiting_connection)[-2:] == ["credential_link_refused", "credential_link_refused"]


def test_an_expired_link_is_refused_and_the_attempt_recorded(client, link_url, issued, waiting_connection):
    CredentialLink.objects.filter(pk=issued.link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    opened = client.get(link_url)
    posted = client.post(link_url, RIGHT)

    assert opened.status_code == posted.status_code == 410
    assert "expired" in opened.content.decode()
    waiting_connection.refresh_from_db()
    assert waiting_connection.credential_mode == Connection.CredentialMode.PLATFORM and not waiting_connection.client_id
    assert _actions(waiting_connection).count("credential_link_refused") == 2


def test_a_wrong_secret_is_told_plainly_and_nothing_is_stored(client, link_url, waiting_connection):
    answer = client.post(link_url, WRONG)

    assert answer.status_code == 200
    html = answer.content.decode()
    assert "These credentials do not work. Nothing was saved." in html
    assert "iCIMS refused the client id" in html and "the secret is wrong" in html
    assert WRONG["client_secret"] not in html  # a secret is never echoed back
    assert 'value="sandbox-client"' in html  # the client id typed is kept, to correct
    waiting_connection.refresh_from_db()
    assert waiting_connection.credential_mode == Connection.CredentialMode.PLATFORM
    assert (waiting_connection.client_id, waiting_connection.client_secret) == ("", "")
    assert waiting_connection.credentials_verified_at is None and waiting_connection.last_test_result == {}
    assert not _credentials_step(waiting_connection).done
    assert _actions(waiting_connection)[-1] == "credential_link_test_failed"
    link = CredentialLink.objects.get()
    assert (link.failed_tests, link.accepted_at) == (1, None)
    assert client.post(link_url, RIGHT).status_code == 200  # still usable: correct and try again


def test_the_page_shows_nothing_already_stored(client, sandbox_connection, superadmin):
    from integrations.services.credential_links import credential_link_create

    issued = credential_link_create(connection=sandbox_connection, created_by=superadmin)

    html = client.get(f"/credentials/{issued.token}/").content.decode()

    assert "sandbox-client" not in html and "sandbox-secret" not in html


def test_only_a_hash_of_the_link_is_stored(issued):
    link = CredentialLink.objects.get()

    assert link.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token.split("_", 2)[2] not in str(CredentialLink.objects.values().get())


def test_an_unknown_link_is_not_found_and_the_token_is_never_logged(client, issued, caplog):
    forged = issued.token[:-4] + "AAAA"
    with caplog.at_level(logging.INFO):
        answer = client.get(f"/credentials/{forged}/")
        client.post(f"/credentials/{issued.token}/", {"client_id": "", "client_secret": ""})

    assert answer.status_code == 404
    assert "not valid" in answer.content.decode()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert issued.link.prefix in logged
    assert forged not in logged and issued.token not in logged


def test_a_link_is_tested_at_most_a_few_times_an_hour(client, link_url, settings, waiting_connection):
    settings.CREDENTIAL_LINK_TESTS_PER_LINK = 2
    for _ in range(2):
        assert "do not work" in client.post(link_url, WRONG).content.decode()

    answer = client.post(link_url, RIGHT)

    assert answer.status_code == 429
    assert "Too many tries with this link" in answer.content.decode()
    assert int(answer["Retry-After"]) > 0
    waiting_connection.refresh_from_db()
    assert waiting_connection.credential_mode == Connection.CredentialMode.PLATFORM


def test_one_address_may_only_make_so_many_requests(client, link_url, settings):
    settings.CREDENTIAL_LINK_REQUESTS_PER_ADDRESS = 3
    for _ in range(3):
        assert client.get(link_url).status_code == 200

    answer = client.get(link_url)

    assert answer.status_code == 429
    assert "Too many requests from your address" in answer.content.decode()


def test_a_second_client_must_come_with_its_secret(client, link_url, waiting_connection):
    answer = client.post(link_url, {**RIGHT, "writeback_client_id": "writeback-only"})

    assert answer.status_code == 400
    assert "Give the second client" in answer.content.decode()
    assert CredentialLink.objects.get().failed_tests == 0


def test_a_new_link_replaces_an_earlier_one(client, link_url, waiting_connection, superadmin):
    from integrations.services.credential_links import credential_link_create

    credential_link_create(connection=waiting_connection, created_by=superadmin)

    answer = client.get(link_url)

    assert answer.status_code == 410
    assert "replaced by a newer one" in answer.content.decode()


def test_credentials_that_work_on_a_connection_that_cannot_be_saved_change_nothing(
    client, link_url, waiting_connection
):
    Connection.objects.filter(pk=waiting_connection.pk).update(webhook_password="")  # broken behind the admin's back

    answer = client.post(link_url, RIGHT)

    assert answer.status_code == 500
    assert "a problem on our side kept us from saving them; nothing was changed" in answer.content.decode()
    waiting_connection.refresh_from_db()
    assert waiting_connection.credential_mode == Connection.CredentialMode.PLATFORM and not waiting_connection.client_id
    assert CredentialLink.objects.get().accepted_at is None
    assert "were not stored" in AuditEvent.objects.filter(connection=waiting_connection).first().summary
