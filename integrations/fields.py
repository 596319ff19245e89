"""Model fields for secrets."""

from __future__ import annotations

from django.db import models

from .encryption import decrypt_secret, encrypt_secret


class EncryptedTextField(models.TextField):
    """Plaintext in Python, a Fernet token in the column.

    Loading a row whose token no configured key decrypts raises SecretDecryptionError:
    loud and early, rather than passing ciphertext on as if it were the secret.
    """

    description = "Text encrypted at rest with FIELD_ENCRYPTION_KEYS"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return decrypt_secret(value, what=f"{self.model.__name__}.{self.name}")

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt_secret(value)
