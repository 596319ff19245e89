"""Which connection sent an event notification: Basic or `x-icims-v1-hmac-sha256`, per connection.

The connection is found by its webhook username (the Basic user, or the HMAC `user=`), and only
among connections set to that mode, so a Basic password can never stand in for an HMAC signature.

Secrets are compared in constant time. The Basic password stays encrypted at rest rather than
hashed: it is a generated, high-entropy secret (nothing to brute-force from a hash that a Fernet
token would not also protect), the admin shows its last four characters, and decrypting costs
microseconds where a password hash would cost most of the 50 ms budget.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import connection as db_connection

from integrations.icims.hmac_signing import ALGORITHM, parse_authorization, parse_date, signature_matches
from integrations.models import Connection
from integrations.services.webhook_credentials_version import webhook_credentials_version

from .credentials_cache import cached_connection, connection_remember, credentials_key
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
) -> Connection:
    if not authorization.strip():
        raise unauthenticated("No Authorization header.")
    scheme = authorization.strip().split(None, 1)[0].lower()
    if scheme == "basic":
        # The whole header is the key: a match means this exact username and password matched before.
        key = credentials_key(scheme=scheme, credential=authorization.strip())
        version = webhook_credentials_version()
        connection = cached_connection(key=key, version=version) or _basic(authorization)
        connection_remember(key=key, version=version, connection=connection)
        return connection
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
    # The username is unique (a constraint), so there is at most one; no ORDER BY needed.
    queryset = (
        Connection.objects.only(*fields)
        .filter(webhook_auth=mode, webhook_username=_USERNAME_PLACEHOLDER)
        .order_by()[:1]
    )
    sql, params = queryset.query.sql_with_params()
    assert params.count(_USERNAME_PLACEHOLDER) == 1, params
    return sql, tuple(params)


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
) -> Connection:
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
    key = credentials_key(scheme=ALGORITHM, credential=parsed.user)
    version = webhook_credentials_version()
    connection = cached_connection(key=key, version=version) or _connection_for(
        mode=Connection.WebhookAuth.HMAC, username=parsed.user
    )
    if connection is None:
        raise unauthenticated("Unknown HMAC user.")
    # During a key rotation both the new and the previous key are accepted.
    keys = [key for key in (connection.webhook_hmac_key, connection.webhook_hmac_key_previous) if key]
    if not any(
        signature_matches(
            key=key, authorization=parsed, method=method, path=path, query=query, headers=lower, body=body
        )
        for key in keys
    ):
        raise unauthenticated("The signature does not match.")
    connection_remember(key=key, version=version, connection=connection)
    return connection
