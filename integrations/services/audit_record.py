"""Writing the audit trail. Each entry names who (a person or an API token), what and which tenant."""

from __future__ import annotations

import logging

from django.contrib.auth.base_user import AbstractBaseUser

from ..models import ApiToken, AuditEvent, Connection

logger = logging.getLogger(__name__)


def audit_record(
    *,
    action: str,
    summary: str,
    actor: AbstractBaseUser | None = None,
    actor_name: str = "",
    api_token: ApiToken | None = None,
    connection: Connection | None = None,
    address: str | None = None,
) -> AuditEvent:
    actor = actor if actor is not None and actor.pk is not None else None
    return AuditEvent.objects.create(
        action=action,
        summary=summary[:300],
        actor=actor,
        actor_name=(actor_name or (actor.get_username() if actor else ""))[:150],
        api_token=api_token,
        connection=connection,
        address=address or None,
    )


def audit_secrets_changed(
    *, connection: Connection, secret_labels: list[str], actor: AbstractBaseUser | None = None
) -> None:
    """Secret changes are recorded as "changed", by name: never the value, nor whether it was cleared."""
    if secret_labels:
        audit_record(
            action=AuditEvent.Action.SECRET_CHANGED,
            summary=f"{connection}: changed {', '.join(secret_labels)}",
            actor=actor,
            connection=connection,
        )
