"""Secrets are encrypted at rest, fail loudly under the wrong key, and survive key rotation."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.urls import reverse

from integrations.encryption import SecretDecryptionError, generate_key
from integrations.models import Connection
from tests.integrations.admin.connection_form_data import connection_form_data


def _raw_column(connection_id: int, column: str) -> str:
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM integrations_connection WHERE id = %s", [connection_id])
        return cursor.fetchone()[0]


def test_the_raw_column_holds_no_plaintext(connection):
    raw = _raw_column(connection.pk, "client_secret")
    assert raw
    assert "acme-secret-value-1234" not in raw
    assert Connection.objects.get(pk=connection.pk).client_secret == "acme-secret-value-1234"


def test_an_empty_secret_is_stored_empty(db):
    conn = Connection.objects.create(name="Empty", customer_id="1")
    assert _raw_column(conn.pk, "client_secret") == ""
    assert Connection.objects.get(pk=conn.pk).client_secret == ""


def test_a_wrong_key_fails_loudly_instead_of_returning_ciphertext(connection, settings):
    settings.FIELD_ENCRYPTION_KEYS = [generate_key()]
    with pytest.raises(SecretDecryptionError, match=r"Connection\.client_secret"):
        Connection.objects.get(pk=connection.pk)


def test_an_admin_save_stores_no_plaintext_secret(superadmin_client):
    superadmin_client.post(
        reverse("admin:integrations_connection_add"),
        connection_form_data(webhook_hmac_key_previous="previous-hmac-key-4321"),
    )

    saved = Connection.objects.get(customer_id="4242")
    for column, plaintext in [
        ("client_secret", "globex-client-secret-0001"),
        ("webhook_password", "globex-webhook-password-0002"),
        ("webhook_hmac_key_previous", "previous-hmac-key-4321"),
    ]:
        raw = _raw_column(saved.pk, column)
        assert raw
        assert plaintext not in raw
        assert getattr(saved, column) == plaintext
