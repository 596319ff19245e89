"""Which connection sent an event notification: Basic or `x-icims-v1-hmac-sha256`, per connection.

The connection is found by its webhook username (the Basic user, or the HMAC `user=`), and only
among connections set to that mode, so a Basic password can never stand in for an HMAC signature.

Secrets are compared in constant time. The Basic password stays encrypted at rest rather than
hashed: it is a generated, high-entropy secret (nothing to brute-force from a hash that a Fernet
token would not also protect), the admin shows its last four characters, and decrypting costs
microseconds where a password hash would cost most of the 50 ms budget.

A connection taken from this process's memory (credentials_cache.py) carries its credential columns as
stored; the event's INSERT is conditional on them (webhook_event_insert.py), so a credential changed
since is caught by the write itself. What memory would refuse (a signature that does not match an
HMAC key kept in memory) is checked again against the database before the sender is refused.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection as db_connection
from django.db.models import F

from integrations.icims.hmac_signing import ALGORITHM, parse_authorization, parse_date, signature_matches
from integrations.models import Connection

from .credentials_cache import cached_connection, connection_forget, connection_remember, credentials_key
from .rejections import unauthenticated

# Only what the endpoint needs: secrets of the other mode (and the API secrets) are not even decrypted.
CONNECTION_FIELDS = ("id", "customer_id", "is_active", "webhook_auth", "webhook_username", "webhook_first_seen_at")
SECRET_FIELDS_BY_MODE = {
    Connection.WebhookAuth.BASIC: ("webhook_password",),
    Connection.WebhookAuth.HMAC: ("webhook_hmac_key", "webhook_hmac_key_previous"),
}
# Compared against when the user is unknown, so a miss costs the same time as a wrong password.
_UNKNOWN_USER_PASSWORD = "x" * 32
# Stands for the username while the lookup's SQL is compiled; only ever a bound parameter.
_USERNAME_PLACEHOLDER = "<webhook username>"
# The secret columns as stored (ciphertext) come back under these names, beside the decrypted fields.
_STORED = "stored_"


@dataclass(frozen=True)
class Authenticated:
    connection: Connection
    # Column -> value as stored when the credentials were read: the event's INSERT writes only while the
    # connection's row still holds exactly these (a secret changed, a pause, a deletion since: no write).
    credentials_as_stored: dict[str, object]
    from_memory: bool


def webhook_connection_authenticate(
    *,
    authorization: str,
    headers: Mapping[str, str],
    method: str,
    path: str,
    query: str,
    body: bytes,
    now: datetime,
    hmac_tolerance: timedelta,
    from_database: bool = False,
) -> Authenticated:
    """The connection these credentials belong to; `from_database` skips this process's memory (and
    refreshes it), for a second look after memory proved out of date."""
    if not authorization.strip():
        raise unauthenticated("No Authorization header.")
    scheme = authorization.strip().split(None, 1)[0].lower()
    if scheme == "basic":
        # The whole header is the key: a match means this exact username and password matched before.
        key = credentials_key(scheme=scheme, credential=authorization.strip())
        remembered = None if from_database else cached_connection(key=key)
        if remembered is not None:
            return _authenticated(remembered, from_memory=True)
        connection_forget(key=key)
        connection = _basic(authorization)
        connection_remember(key=key, connection=connection)
        return _authenticated(connection, from_memory=False)
    if scheme == ALGORITHM:
        return _hmac(
            authorization,
            headers=headers,
            method=method,
            path=path,
            query=query,
            body=body,
            now=now,
            tolerance=hmac_tolerance,
            from_database=from_database,
        )
    # The scheme is not echoed: a bare token sent without one would land in our logs.
    raise unauthenticated(f"The Authorization scheme is not accepted; use Basic or {ALGORITHM}.")


def _connection_for(*, mode: str, username: str) -> Connection | None:
    if not username:
        return None
    sql, params = _lookup_query(mode=mode, vendor=db_connection.vendor)
    found = Connection.objects.raw(sql, [username if param == _USERNAME_PLACEHOLDER else param for param in params])
    return next(iter(found), None)


@functools.cache
def _lookup_query(*, mode: str, vendor: str) -> tuple[str, tuple]:
    """The ORM's own SQL for the lookup, compiled once per process: building and compiling the
    queryset cost several times the query's round trip, on every request."""
    fields = (*CONNECTION_FIELDS, *SECRET_FIELDS_BY_MODE[mode])
    # The username is unique (a constraint), so there is at most one; no ORDER BY needed. The annotations
    # are the secrets' columns again: a raw query leaves them as stored (ciphertext), not decrypted.
    queryset = (
        Connection.objects.only(*fields)
        .annotate(**{f"{_STORED}{name}": F(name) for name in SECRET_FIELDS_BY_MODE[mode]})
        .filter(webhook_auth=mode, webhook_username=_USERNAME_PLACEHOLDER)
        .order_by()[:1]
    )
    sql, params = queryset.query.sql_with_params()
    assert params.count(_USERNAME_PLACEHOLDER) == 1, params
    return sql, tuple(params)


def _authenticated(connection: Connection, *, from_memory: bool) -> Authenticated:
    columns = {name: getattr(connection, name) for name in CONNECTION_FIELDS if name != "webhook_first_seen_at"}
    columns["id"] = connection.pk
    for name in SECRET_FIELDS_BY_MODE[connection.webhook_auth]:
        columns[name] = getattr(connection, f"{_STORED}{name}")
    return Authenticated(connection=connection, credentials_as_stored=columns, from_memory=from_memory)


def _basic(authorization: str) -> Connection:
    try:
        decoded = base64.b64decode(authorization.strip().split(None, 1)[1], validate=True).decode("utf-8")
        username, password = decoded.split(":", 1)
    except (IndexError, ValueError, binascii.Error):
        raise unauthenticated("The Basic credentials are not base64 of username:password.") from None
    connection = _connection_for(mode=Connection.WebhookAuth.BASIC, username=username)
    expected = connection.webhook_password if connection and connection.webhook_password else _UNKNOWN_USER_PASSWORD
    matches = hmac.compare_digest(password.encode(), expected.encode())
    if connection is None or not connection.webhook_password or not matches:
        raise unauthenticated("Unknown webhook username or wrong password.")
    return connection


def _hmac(
    authorization: str,
    *,
    headers: Mapping[str, str],
    method: str,
    path: str,
    query: str,
    body: bytes,
    now: datetime,
    tolerance: timedelta,
    from_database: bool,
) -> Authenticated:
    parsed = parse_authorization(authorization)
    if parsed is None:
        raise unauthenticated(f"The {ALGORITHM} Authorization header is malformed.")
    lower = {name.lower(): value for name, value in headers.items()}
    try:
        signed_at = parse_date(lower.get("x-icims-date", ""))
    except ValueError:
        raise unauthenticated("x-icims-date is missing or not YYYY-MM-DDTHH:MM:SSZ.") from None
    if abs(now - signed_at) > tolerance:
        raise unauthenticated(f"x-icims-date is more than {int(tolerance.total_seconds())} s from our clock.")
    cache_key = credentials_key(scheme=ALGORITHM, credential=parsed.user)

    def signed_by(connection: Connection) -> bool:
        # During a key rotation both the new and the previous key are accepted.
        keys = [key for key in (connection.webhook_hmac_key, connection.webhook_hmac_key_previous) if key]
        return any(
            signature_matches(
                key=key, authorization=parsed, method=method, path=path, query=query, headers=lower, body=body
            )
            for key in keys
        )

    remembered = None if from_database else cached_connection(key=cache_key)
    if remembered is not None and signed_by(remembered):
        return _authenticated(remembered, from_memory=True)
    # Not in memory, or memory would refuse it (the key may have been rotated since): the database decides.
    connection_forget(key=cache_key)
    connection = _connection_for(mode=Connection.WebhookAuth.HMAC, username=parsed.user)
    if connection is None:
        raise unauthenticated("Unknown HMAC user.")
    if not signed_by(connection):
        raise unauthenticated("The signature does not match.")
    connection_remember(key=cache_key, connection=connection)
    return _authenticated(connection, from_memory=False)
