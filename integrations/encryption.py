"""Encryption of secrets at rest with MultiFernet keys from FIELD_ENCRYPTION_KEYS.

The keys are independent of SECRET_KEY so that rotating one never strands the other. The first
key encrypts; every key decrypts, which is what makes rotation possible without downtime.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretDecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key."""


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: secrets cannot be encrypted or read. "
            "Set it to one or more comma-separated Fernet keys (see README)."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS holds a malformed Fernet key: {error}") from None


def current_fernet() -> MultiFernet:
    return _fernet_for(tuple(k.strip() for k in settings.FIELD_ENCRYPTION_KEYS if k.strip()))


def encrypt_secret(plaintext: str) -> str:
    return current_fernet().encrypt(plaintext.encode()).decode()


def decrypt_secret(token: str, *, what: str = "a secret") -> str:
    try:
        return current_fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Never fall back to returning the token: ciphertext passed on as a secret would be
        # sent to iCIMS and fail in a far more confusing place.
        raise SecretDecryptionError(
            f"Cannot decrypt {what}: it was encrypted with a key that is not in FIELD_ENCRYPTION_KEYS."
        ) from None


def reencrypt_secret(token: str) -> str:
    """The same secret, encrypted under the first key (for key rotation)."""
    try:
        return current_fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError("Cannot rotate a secret that no key in FIELD_ENCRYPTION_KEYS decrypts.") from None


def generate_key() -> str:
    return Fernet.generate_key().decode()


class CachedTokenCipher:
    """Seals iCIMS access tokens in the shared cache with FIELD_ENCRYPTION_KEYS (auth.TokenCipher)."""

    def encrypt(self, plaintext: str) -> str:
        return encrypt_secret(plaintext)

    def decrypt(self, sealed: str) -> str:
        try:
            return decrypt_secret(sealed, what="a cached iCIMS token")
        except SecretDecryptionError as error:
            raise ValueError(str(error)) from None
