"""Issue, check and revoke API tokens. A token is `gti_<prefix>_<secret>`: the prefix finds the row,
the SHA-256 of the whole token must match the stored hash. The token itself is never stored or logged."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from integrations.models import ApiToken, AuditEvent, Connection

from .audit_record import audit_record

TOKEN_SCHEME = "gti"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # one write a minute per token is plenty for "when was it used"


class ApiTokenRefused(Exception):
    """The presented token is malformed, unknown or revoked. The message is safe to show the caller."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown once, never stored


def api_token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(
    *,
    name: str,
    connections: Iterable[Connection] = (),
    all_connections: bool = False,
    created_by: AbstractBaseUser | None = None,
    expires_in_days: int | None = None,
) -> IssuedToken:
    """A new token. Scoped to `connections`, or to every connection when `all_connections`; one of the two."""
    connections = list(connections)
    if not name.strip():
        raise ValueError("A token needs a name.")
    if all_connections == bool(connections):
        raise ValueError("Give a token either some connections or all connections, not both and not neither.")
    days = settings.API_TOKEN_DEFAULT_EXPIRY_DAYS if expires_in_days is None else expires_in_days
    if days < 0:
        raise ValueError("A token cannot expire in the past.")
    expires_at = timezone.now() + timedelta(days=days) if days else None
    for _ in range(5):  # the prefix is random: a clash is rare, and another draw fixes it
        prefix = secrets.token_hex(4)
        plaintext = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    name=name.strip(),
                    prefix=prefix,
                    token_hash=api_token_hash(plaintext),
                    all_connections=all_connections,
                    created_by=created_by,
                    expires_at=expires_at,
                )
                token.connections.set(connections)
                audit_record(
                    action=AuditEvent.Action.API_TOKEN_CREATED,
                    summary=f"API token {token}",
                    actor=created_by,
                    api_token=token,
                )
        except IntegrityError:
            continue
        return IssuedToken(token=token, plaintext=plaintext)
    raise RuntimeError("Could not draw a free token prefix.")


def api_token_authenticate(*, plaintext: str) -> ApiToken:
    """The live token matching `plaintext`, its last use noted; ApiTokenRefused otherwise."""
    scheme, _, rest = plaintext.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != TOKEN_SCHEME or not prefix or not secret:
        raise ApiTokenRefused("Malformed token.")
    token = ApiToken.objects.filter(prefix=prefix).first()
    # Compare even when no row matched, so a wrong prefix costs the same as a wrong secret.
    expected = token.token_hash if token is not None else api_token_hash("")
    if not hmac.compare_digest(expected, api_token_hash(plaintext)) or token is None:
        raise ApiTokenRefused("Invalid token.")
    if token.is_revoked:
        raise ApiTokenRefused("This token has been revoked.")
    if token.is_expired(now=timezone.now()):
        raise ApiTokenRefused(f"This token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; ask for a new one.")
    api_token_note_use(token=token)
    return token


def api_token_note_use(*, token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def api_token_revoke(*, token: ApiToken, actor: AbstractBaseUser | None = None) -> bool:
    """Revoke the token; False when it already was."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        audit_record(
            action=AuditEvent.Action.API_TOKEN_REVOKED, summary=f"API token {token}", actor=actor, api_token=token
        )
    return revoked == 1


def api_token_connections(*, token: ApiToken) -> QuerySet[Connection]:
    """The connections this token may see: the wall every API query starts from."""
    if token.all_connections:
        return Connection.objects.all()
    return Connection.objects.filter(api_tokens=token)
