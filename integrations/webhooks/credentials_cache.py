"""Credentials this process checked recently, kept for WEBHOOK_CREDENTIALS_CACHE_SECONDS.

Basic entries are keyed by a hash of the whole Authorization header, so only a password that
matched is ever kept: a wrong one hashes elsewhere and always goes to the database. HMAC entries
are keyed by the user (each request is signed anew; the signature is still checked every time).

Memory is never the last word: each entry keeps the connection's credential columns as they were
stored (secrets as their ciphertext), and the event's INSERT only writes if the row still holds
exactly those (webhook_event_insert.py). A password change, a key rotation, a pause or a deletion,
by any process or straight in the database, therefore applies to the very next request, at the
cost of no extra round trip. Secrets stay in this process's memory.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings

from integrations.models import Connection

# Plenty for the tenants one process serves; beyond it the memory is simply cleared.
MAX_ENTRIES = 10_000

_entries: dict[str, tuple[float, Connection]] = {}


def credentials_key(*, scheme: str, credential: str) -> str:
    return f"{scheme}:{hashlib.sha256(credential.encode()).hexdigest()}"


def cached_connection(*, key: str) -> Connection | None:
    entry = _entries.get(key)
    if entry is None:
        return None
    expires_at, connection = entry
    if expires_at < time.monotonic():
        _entries.pop(key, None)
        return None
    return connection


def connection_remember(*, key: str, connection: Connection) -> None:
    seconds = settings.WEBHOOK_CREDENTIALS_CACHE_SECONDS
    if seconds <= 0:
        return
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (time.monotonic() + seconds, connection)


def connection_forget(*, key: str) -> None:
    _entries.pop(key, None)


def credentials_forget_all() -> None:
    """Drop this process's memory (tests, and a process that wants a clean start)."""
    _entries.clear()
