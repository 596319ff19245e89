"""Creating and changing a connection: the one set of rules the admin and the shell share.

Secrets follow write-only semantics everywhere: a blank new value keeps the stored secret, and
only an explicit "clear" removes it. Nothing here logs a value, only field names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from sync.services.sync_states_ensure import sync_states_ensure

from ..models import SECRET_FIELDS, Connection
from .connection_field_map import connection_field_map_errors
from .connection_history import connection_history_record

logger = logging.getLogger(__name__)

# Everything a caller may set directly; secrets go through new_secrets / cleared_secrets instead.
EDITABLE_FIELDS = frozenset(
    field.name
    for field in Connection._meta.concrete_fields
    if field.editable and not field.primary_key and field.name not in SECRET_FIELDS
)
FOLDER_FIELDS = ("candidate_folders", "user_folders")

_FOLDER_SEPARATORS = re.compile(r"[,\n\r]+")


@dataclass(frozen=True)
class ConnectionSaveResult:
    connection: Connection
    created: bool
    changed_fields: list[str]


def connection_folders_parse(text: str) -> list[str]:
    """Folder names from free text: one per line or comma-separated. Blanks and repeats are dropped."""
    folders: list[str] = []
    for part in _FOLDER_SEPARATORS.split(text or ""):
        folder = part.strip()
        if folder and folder not in folders:
            folders.append(folder)
    return folders


@sensitive_variables("new_secrets", "value")
def connection_changes_apply(
    *,
    connection: Connection,
    changes: Mapping[str, Any] | None = None,
    new_secrets: Mapping[str, str] | None = None,
    cleared_secrets: Collection[str] = (),
) -> list[str]:
    """Apply changes to the instance in memory (no save) and return the names of the fields that changed.

    A blank entry in new_secrets keeps the stored secret; a name in cleared_secrets empties it.
    """
    changes = dict(changes or {})
    new_secrets = dict(new_secrets or {})
    unknown = (set(changes) - EDITABLE_FIELDS) | ((set(new_secrets) | set(cleared_secrets)) - set(SECRET_FIELDS))
    if unknown:
        # A programming error, not bad input: callers build these from their own field lists.
        raise ValueError(f"Not connection settings: {', '.join(sorted(unknown))}")
    ambiguous = {
        name: "Enter a new value or clear the stored one, not both."
        for name in cleared_secrets
        if new_secrets.get(name)
    }
    if ambiguous:
        raise ValidationError(ambiguous)

    changed = []
    for name, value in changes.items():
        if getattr(connection, name) != value:
            setattr(connection, name, value)
            changed.append(name)
    for name, value in new_secrets.items():
        if value and getattr(connection, name) != value:
            setattr(connection, name, value)
            changed.append(name)
    for name in cleared_secrets:
        if getattr(connection, name):
            setattr(connection, name, "")
            changed.append(name)
    return changed


def connection_rules_check(*, connection: Connection) -> None:
    """Raise ValidationError (keyed by field) when the settings cannot work together."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if connection.credential_mode == Connection.CredentialMode.CUSTOMER:
        if not connection.client_id.strip():
            add("client_id", "Option 2 needs the customer's client id.")
        if not connection.client_secret:
            add("client_secret", "Option 2 needs the customer's client secret (none is stored).")
        if connection.writeback_client_id.strip() and not connection.writeback_client_secret:
            add("writeback_client_secret", "A second client id needs its secret (none is stored).")
        if connection.writeback_client_secret and not connection.writeback_client_id.strip():
            add("writeback_client_id", "A second client secret needs its client id.")

    if connection.webhook_auth == Connection.WebhookAuth.BASIC:
        if not connection.webhook_username.strip():
            add("webhook_username", "Basic webhook authentication needs a username.")
        if not connection.webhook_password:
            add("webhook_password", "Basic webhook authentication needs a password (none is stored).")
    elif connection.webhook_auth == Connection.WebhookAuth.HMAC and not connection.webhook_hmac_key:
        add("webhook_hmac_key", "HMAC webhook authentication needs a key (none is stored).")

    for field in FOLDER_FIELDS:
        folders = getattr(connection, field)
        if not isinstance(folders, list) or not all(isinstance(folder, str) for folder in folders):
            add(field, "Give a list of folder names.")
        elif not folders:
            add(field, "Name at least one folder.")
        elif any(not folder.strip() or folder != folder.strip() for folder in folders):
            add(field, "Folder names cannot be blank or start or end with spaces.")

    for message in connection_field_map_errors(connection.field_map):
        add("field_map", message)

    if connection.hourly_call_budget is None or connection.hourly_call_budget < 1:
        add("hourly_call_budget", "The hourly call budget must be at least 1.")

    if errors:
        raise ValidationError(errors)


def connection_validate(*, connection: Connection) -> None:
    """The model's own validation (types, uniqueness) and the cross-field rules, reported together."""
    errors: dict[str, list] = {}
    for check in (connection.full_clean, lambda: connection_rules_check(connection=connection)):
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def connection_save(*, connection: Connection) -> Connection:
    """Validate and save. Raises ValidationError and writes nothing when the settings are invalid."""
    connection_validate(connection=connection)
    created = connection.pk is None
    connection.save()
    if created:
        sync_states_ensure(connection=connection)
    logger.info(
        "Connection %s (CustomerId %s) %s", connection.name, connection.customer_id, "created" if created else "saved"
    )
    return connection


@sensitive_variables("new_secrets")
def connection_create(
    *,
    changes: Mapping[str, Any],
    new_secrets: Mapping[str, str] | None = None,
    actor: AbstractBaseUser | None = None,
) -> ConnectionSaveResult:
    """A new connection from settings and secrets, recorded in the admin history."""
    connection = Connection()
    changed = connection_changes_apply(connection=connection, changes=changes, new_secrets=new_secrets)
    with transaction.atomic():
        connection_save(connection=connection)
        connection_history_record(connection=connection, created=True, changed_fields=changed, actor=actor)
    return ConnectionSaveResult(connection=connection, created=True, changed_fields=changed)


@sensitive_variables("new_secrets")
def connection_update(
    *,
    connection: Connection,
    changes: Mapping[str, Any],
    new_secrets: Mapping[str, str] | None = None,
    cleared_secrets: Collection[str] = (),
    actor: AbstractBaseUser | None = None,
) -> ConnectionSaveResult:
    """Change an existing connection; recorded in the admin history when anything changed."""
    changed = connection_changes_apply(
        connection=connection, changes=changes, new_secrets=new_secrets, cleared_secrets=cleared_secrets
    )
    with transaction.atomic():
        if changed:
            connection_save(connection=connection)
            connection_history_record(connection=connection, created=False, changed_fields=changed, actor=actor)
        else:
            # Nothing to write, but a connection that was already broken should still be reported.
            connection_validate(connection=connection)
    return ConnectionSaveResult(connection=connection, created=False, changed_fields=changed)
