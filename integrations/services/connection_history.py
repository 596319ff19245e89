"""Admin-history entries for connection changes made outside the admin (the shell).

Django's LogEntry needs a user. Changes from the shell are attributed to the person named with
`--by`, or else to a dedicated "shell" account that is inactive and has no usable password, so
the history page shows where each change came from. Entries name the fields that changed,
never their values.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.text import capfirst

from ..models import Connection

SHELL_ACTOR_USERNAME = "shell"
# Credentials a customer entered through a credential link are recorded under this account.
CREDENTIAL_LINK_ACTOR_USERNAME = "customer-credential-link"


def _recording_account(username: str) -> AbstractBaseUser:
    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"is_active": False, "is_staff": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def shell_actor_get() -> AbstractBaseUser:
    """The account shell changes are recorded under; it can never log in."""
    return _recording_account(SHELL_ACTOR_USERNAME)


def credential_link_actor_get() -> AbstractBaseUser:
    """The account a customer's credential link changes are recorded under; it can never log in."""
    return _recording_account(CREDENTIAL_LINK_ACTOR_USERNAME)


def connection_field_labels(field_names: Iterable[str]) -> list[str]:
    """The labels the admin form gives these fields, so both kinds of history entry read alike."""
    return [str(capfirst(Connection._meta.get_field(name).verbose_name)) for name in field_names]


def connection_history_record(
    *,
    connection: Connection,
    created: bool,
    changed_fields: Iterable[str],
    actor: AbstractBaseUser | None = None,
) -> LogEntry:
    """One admin-history entry in the admin's own message format, so the history page reads the same."""
    if created:
        message: list[dict] = [{"added": {}}]
    else:
        message = [{"changed": {"fields": connection_field_labels(changed_fields)}}]
    return LogEntry.objects.log_actions(
        user_id=(actor or shell_actor_get()).pk,
        queryset=[connection],
        action_flag=ADDITION if created else CHANGE,
        change_message=message,
        single_object=True,
    )
