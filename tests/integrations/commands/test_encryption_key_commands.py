"""`generate_encryption_key` and `rotate_encryption_keys`: rotating FIELD_ENCRYPTION_KEYS without losing a secret."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection as db_connection

from integrations.encryption import SecretDecryptionError, generate_key
from integrations.models import SECRET_FIELDS, Connection

KEY_A = generate_key()
KEY_B = generate_key()


def raw_secrets() -> dict[tuple[int, str], str]:
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(SECRET_FIELDS)} FROM integrations_connection")
        return {
            (row[0], field): value
            for row in cursor.fetchall()
            for field, value in zip(SECRET_FIELDS, row[1:], strict=True)
        }


def rotate() -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    return out.getvalue()


@pytest.fixture
def secrets_under_key_a(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    Connection.objects.create(
        name="Acme", customer_id="1", client_secret="acme-secret-0001", webhook_password="acme-webhook-0002"
    )
    Connection.objects.create(
        name="Globex",
        customer_id="2",
        webhook_hmac_key="globex-hmac-0003",
        webhook_hmac_key_previous="globex-old-hmac-0004",
    )
    Connection.objects.create(name="Initech", customer_id="3")
    return settings


def test_generate_encryption_key_prints_a_usable_key():
    out = StringIO()
    call_command("generate_encryption_key", stdout=out)

    key = out.getvalue().strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"


def test_after_rotation_the_new_key_alone_reads_every_secret(secrets_under_key_a):
    secrets_under_key_a.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    output = rotate()

    assert "Re-encrypted 4 secret(s) of 2 connection(s)" in output
    secrets_under_key_a.FIELD_ENCRYPTION_KEYS = [KEY_B]
    acme, globex, initech = Connection.objects.order_by("customer_id")
    assert (acme.client_secret, acme.webhook_password) == ("acme-secret-0001", "acme-webhook-0002")
    assert (globex.webhook_hmac_key, globex.webhook_hmac_key_previous) == ("globex-hmac-0003", "globex-old-hmac-0004")
    assert initech.client_secret == ""


def test_rotation_touches_nothing_but_the_secrets(secrets_under_key_a):
    before = {c.pk: c.updated_at for c in Connection.objects.all()}
    secrets_under_key_a.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    rotate()

    assert {c.pk: c.updated_at for c in Connection.objects.all()} == before


def test_before_rotation_the_new_key_alone_cannot_read_old_secrets(secrets_under_key_a):
    secrets_under_key_a.FIELD_ENCRYPTION_KEYS = [KEY_B]

    with pytest.raises(SecretDecryptionError):
        list(Connection.objects.all())


def test_one_undecryptable_secret_fails_the_whole_rotation_and_changes_nothing(secrets_under_key_a):
    stray = Fernet(generate_key().encode()).encrypt(b"from-a-lost-key").decode()
    with db_connection.cursor() as cursor:
        cursor.execute("UPDATE integrations_connection SET webhook_password = %s WHERE customer_id = '2'", [stray])
    before = raw_secrets()
    secrets_under_key_a.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    with pytest.raises(CommandError, match=r"CustomerId 2 webhook_password.*Nothing was changed"):
        rotate()

    assert raw_secrets() == before
