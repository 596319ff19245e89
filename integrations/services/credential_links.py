"""One-time credential links: a super admin makes one for a connection, the customer's iCIMS admin opens it
(no sign-in), enters its own client id and secret, and the portal tests them at once.

A link is `gtc_<prefix>_<secret>`, like an API token: the prefix finds the row, the SHA-256 of the whole
link token must match the stored hash, and the token itself is never stored or logged. Credentials are
stored only when every check of the connection test passes; the link is then used up. Every use (created,
opened, a failed test, accepted, an expired or used-up link tried) is in the audit trail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from ..models import AuditEvent, Connection, CredentialLink
from .audit_record import audit_record
from .connection_history import credential_link_actor_get
from .connection_save import connection_update
from .connection_stream_resolve import RESOLVED_FIELDS
from .connection_test import (
    ConnectionTestResult,
    FeatureScopes,
    connection_checks_run,
    connection_feature_scopes,
    connection_test_result_keep,
)

LINK_SCHEME = "gtc"
MAX_CLIENT_ID_LENGTH = 200  # Connection.client_id's max_length
MAX_SECRET_LENGTH = 1000  # far above any iCIMS client secret; a bound on what we encrypt and send


class CredentialLinkRefused(Exception):
    """The link is unknown, expired, used up or replaced. `reason` is one of those words; the message is
    safe to show the person holding the link."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class IssuedCredentialLink:
    link: CredentialLink
    token: str  # shown once (as part of the URL), never stored


@dataclass(frozen=True)
class CredentialLinkPage:
    """What the customer's page shows: the tenant, the scopes to grant, whether a second client may be given."""

    link: CredentialLink
    connection_name: str
    customer_id: str
    region: str
    features: list[FeatureScopes]
    offers_writeback_client: bool


class CredentialsNotStored(Exception):
    """The credentials work, but the connection's other settings stopped them being saved (our problem,
    not the customer's). Nothing was changed; the audit trail says why."""


@dataclass(frozen=True)
class CredentialSubmission:
    accepted: bool
    result: ConnectionTestResult


def credential_link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def credential_link_expiry_check(*, expires_in: timedelta) -> None:
    longest = timedelta(hours=settings.CREDENTIAL_LINK_MAX_EXPIRY_HOURS)
    if expires_in < timedelta(minutes=10) or expires_in > longest:
        raise ValueError(
            f"A credential link must last between 10 minutes and {settings.CREDENTIAL_LINK_MAX_EXPIRY_HOURS} hours."
        )


def credential_link_create(
    *, connection: Connection, expires_in: timedelta | None = None, created_by: AbstractBaseUser | None = None
) -> IssuedCredentialLink:
    """A new link for the connection; an earlier link still open is replaced (it stops working)."""
    expires_in = expires_in or timedelta(hours=settings.CREDENTIAL_LINK_DEFAULT_EXPIRY_HOURS)
    credential_link_expiry_check(expires_in=expires_in)
    now = timezone.now()
    for _ in range(5):  # the prefix is random: a clash is rare, and another draw fixes it
        prefix = secrets.token_hex(4)
        token = f"{LINK_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                CredentialLink.objects.filter(
                    connection=connection, accepted_at__isnull=True, revoked_at__isnull=True
                ).update(revoked_at=now)
                link = CredentialLink.objects.create(
                    connection=connection,
                    prefix=prefix,
                    token_hash=credential_link_hash(token),
                    created_by=created_by,
                    expires_at=now + expires_in,
                )
                audit_record(
                    action=AuditEvent.Action.CREDENTIAL_LINK_CREATED,
                    summary=f"{connection}: credential link {prefix}… valid until {link.expires_at:%Y-%m-%d %H:%M} UTC",
                    actor=created_by,
                    actor_name="" if created_by else "shell",
                    connection=connection,
                )
        except IntegrityError:
            continue
        return IssuedCredentialLink(link=link, token=token)
    raise RuntimeError("Could not draw a free credential link prefix.")


def credential_link_prefix(token: str) -> str:
    """The prefix of a well-formed link token, else "" (what logs may name instead of the token)."""
    scheme, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    return prefix if scheme == LINK_SCHEME and prefix and secret and len(prefix) <= 16 else ""


def _usable_link(*, token: str, address: str | None, now) -> CredentialLink:
    prefix = credential_link_prefix(token)
    link = CredentialLink.objects.select_related("connection").filter(prefix=prefix).first() if prefix else None
    # Compare even when no row matched, so a wrong prefix costs the same as a wrong secret.
    expected = link.token_hash if link is not None else credential_link_hash("")
    if not hmac.compare_digest(expected, credential_link_hash(token)) or link is None:
        raise CredentialLinkRefused("This link is not valid. Ask GoodTime for a new one.", reason="unknown")
    state = link.state(now=now)
    if state == "open":
        return link
    messages = {
        "accepted": "This link has already been used: credentials were received through it. "
        "Ask GoodTime for a new link to change them.",
        "replaced": "This link was replaced by a newer one. Use the newest link GoodTime sent you.",
        "expired": f"This link expired on {link.expires_at:%Y-%m-%d %H:%M} UTC. Ask GoodTime for a new one.",
    }
    audit_record(
        action=AuditEvent.Action.CREDENTIAL_LINK_REFUSED,
        summary=f"{link.connection}: credential link {link.prefix}… tried while {state}",
        actor_name="customer",
        connection=link.connection,
        address=address,
    )
    raise CredentialLinkRefused(messages[state], reason=state)


def credential_link_open(*, token: str, address: str | None = None, record: bool = True) -> CredentialLinkPage:
    """The page a valid link shows, the opening recorded (unless `record` is off: the page shown again
    with a test's result). Raises CredentialLinkRefused otherwise."""
    now = timezone.now()
    link = _usable_link(token=token, address=address, now=now)
    connection = link.connection
    if record:
        CredentialLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=now)
        audit_record(
            action=AuditEvent.Action.CREDENTIAL_LINK_OPENED,
            summary=f"{connection}: credential link {link.prefix}… opened",
            actor_name="customer",
            connection=connection,
            address=address,
        )
    return CredentialLinkPage(
        link=link,
        connection_name=connection.name,
        customer_id=connection.customer_id,
        region=connection.get_region_display(),
        features=connection_feature_scopes(connection=connection),
        offers_writeback_client=connection.interview_sync_enabled or connection.feedback_enabled,
    )


def credentials_problems(
    *, client_id: str, client_secret: str, writeback_client_id: str = "", writeback_client_secret: str = ""
) -> dict[str, str]:
    """Field -> what is wrong with what was typed (empty: nothing). No value is echoed back."""
    problems = {}
    if not client_id.strip():
        problems["client_id"] = "Enter the client id."
    elif len(client_id.strip()) > MAX_CLIENT_ID_LENGTH:
        problems["client_id"] = f"A client id has at most {MAX_CLIENT_ID_LENGTH} characters."
    if not client_secret:
        problems["client_secret"] = "Enter the client secret."
    elif len(client_secret) > MAX_SECRET_LENGTH:
        problems["client_secret"] = f"A client secret has at most {MAX_SECRET_LENGTH} characters."
    if bool(writeback_client_id.strip()) != bool(writeback_client_secret):
        problems["writeback_client_secret" if writeback_client_id.strip() else "writeback_client_id"] = (
            "Give the second client's id and secret together, or leave both empty."
        )
    elif len(writeback_client_id.strip()) > MAX_CLIENT_ID_LENGTH or len(writeback_client_secret) > MAX_SECRET_LENGTH:
        problems["writeback_client_id"] = "The second client's id or secret is too long."
    return problems


@sensitive_variables("client_secret", "writeback_client_secret", "trial", "secrets_given")
def credential_link_submit(
    *,
    token: str,
    client_id: str,
    client_secret: str,
    writeback_client_id: str = "",
    writeback_client_secret: str = "",
    address: str | None = None,
    session: requests.Session | None = None,
) -> CredentialSubmission:
    """Test the credentials now; store them (encrypted) and use the link up only when every check passes.

    Raises CredentialLinkRefused for a link that does not work, ValueError for input that cannot be tried.
    Nothing about the connection changes when the test fails.
    """
    problems = credentials_problems(
        client_id=client_id,
        client_secret=client_secret,
        writeback_client_id=writeback_client_id,
        writeback_client_secret=writeback_client_secret,
    )
    if problems:
        raise ValueError(" ".join(problems.values()))
    link = _usable_link(token=token, address=address, now=timezone.now())
    trial = Connection.objects.get(pk=link.connection_id)
    trial.credential_mode = Connection.CredentialMode.CUSTOMER
    trial.client_id, trial.client_secret = client_id.strip(), client_secret
    trial.writeback_client_id, trial.writeback_client_secret = writeback_client_id.strip(), writeback_client_secret
    result = connection_checks_run(connection=trial, session=session, store=False)
    if not result.ok:
        CredentialLink.objects.filter(pk=link.pk).update(failed_tests=F("failed_tests") + 1)
        failed = next(check for check in result.checks if not check.ok)
        audit_record(
            action=AuditEvent.Action.CREDENTIAL_LINK_TEST_FAILED,
            summary=f"{link.connection}: credentials entered through link {link.prefix}… failed at {failed.name}",
            actor_name="customer",
            connection=link.connection,
            address=address,
        )
        return CredentialSubmission(accepted=False, result=result)
    try:
        _accept(link=link, trial=trial, result=result, address=address)
    except ValidationError as error:
        fields = ", ".join(sorted(error.message_dict)) if hasattr(error, "error_dict") else "settings"
        audit_record(
            action=AuditEvent.Action.CREDENTIAL_LINK_TEST_FAILED,
            summary=f"{link.connection}: credentials through link {link.prefix}… work but were not stored: "
            f"the connection's settings are invalid ({fields})",
            actor_name="customer",
            connection=link.connection,
            address=address,
        )
        raise CredentialsNotStored(fields) from None
    return CredentialSubmission(accepted=True, result=result)


@sensitive_variables("trial", "secrets_given")
def _accept(*, link: CredentialLink, trial: Connection, result: ConnectionTestResult, address: str | None) -> None:
    """Store what was tested, exactly: a second client not given clears any stored one."""
    with transaction.atomic():
        # Two submissions racing on one link: only the first to lock it stores its credentials.
        locked = CredentialLink.objects.select_for_update().get(pk=link.pk)
        state = locked.state(now=timezone.now())
        if state != "open":
            raise CredentialLinkRefused(
                "This link has just been used, replaced or has expired; nothing was changed. "
                "Ask GoodTime for a new one.",
                reason=state,
            )
        connection = Connection.objects.select_for_update().get(pk=link.connection_id)
        secrets_given = {"client_secret": trial.client_secret}
        cleared = []
        if trial.writeback_client_id:
            secrets_given["writeback_client_secret"] = trial.writeback_client_secret
        elif connection.writeback_client_secret:
            cleared.append("writeback_client_secret")
        connection_update(
            connection=connection,
            changes={
                "credential_mode": Connection.CredentialMode.CUSTOMER,
                "client_id": trial.client_id,
                "writeback_client_id": trial.writeback_client_id,
            },
            new_secrets=secrets_given,
            cleared_secrets=cleared,
            actor=credential_link_actor_get(),
        )
        Connection.objects.filter(pk=connection.pk).update(**{name: getattr(trial, name) for name in RESOLVED_FIELDS})
        connection_test_result_keep(
            connection=connection, result=result, by=f"the customer, through credential link {link.prefix}…"
        )
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        audit_record(
            action=AuditEvent.Action.CREDENTIAL_LINK_ACCEPTED,
            summary=f"{connection}: credentials received and verified through link {link.prefix}… "
            f"(client id {trial.client_id})",
            actor_name="customer",
            connection=connection,
            address=address,
        )
