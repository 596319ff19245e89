"""Credentials this process checked recently, kept for WEBHOOK_CREDENTIALS_CACHE_SECONDS.

Basic entries are keyed by a hash of the whole Authorization header, so only a password that
matched is ever kept: a wrong one hashes elsewhere and always goes to the database. HMAC entries
are keyed by the user (each request is signed anew; the signature is still checked every time).
Every entry carries the credentials version it was read under (webhook_credentials_version.py):
when any process saves, pauses or deletes a connection the version changes, and the next lookup
here misses. Secrets stay in this process's memory; the shared cache only holds the version.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings

from integrations.models import Connection

# Plenty for the tenants one process serves; beyond it the memory is simply cleared.
MAX_ENTRIES = 10_000

_entries: dict[str, tuple[str, float, Connection]] = {}


def credentials_key(*, scheme: str, credential: str) -> str:
    return f"{scheme}:{hashlib.sha256(credential.encode()).hexdigest()}"


def cached_connection(*, key: str, version: str | None) -> Connection | None:
    if version is None:
        return None
    entry = _entries.get(key)
    if entry is None:
        return None
    entry_version, expires_at, connection = entry
    if entry_version != version or expires_at < time.monotonic():
        _entries.pop(key, None)
        return None
    return connection


def connection_remember(*, key: str, version: str | None, connection: Connection) -> None:
    seconds = settings.WEBHOOK_CREDENTIALS_CACHE_SECONDS
    if version is None or seconds <= 0:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (version, time.monotonic() + seconds, connection)


def credentials_forget_all() -> None:
    """Drop this process's memory (tests, and a process that wants a clean start)."""
    _entries.clear()
