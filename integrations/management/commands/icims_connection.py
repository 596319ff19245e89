"""Configure and check iCIMS connections from the shell: `icims_connection add|update|list|test|invite`.

Each subcommand is one parser (built by `_arguments_<name>`) and one handler (`handle_<name>`);
a new subcommand adds one of each. The rules live in integrations.services.connection_save,
shared with the admin.
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from integrations.models import Connection
from integrations.regions import Region
from integrations.selectors.connection_onboarding import (
    connection_onboarding_progress,
    connections_with_onboarding_facts,
)
from integrations.selectors.connection_secret_hints import connection_secret_hint
from integrations.services.connection_save import (
    ConnectionSaveResult,
    connection_create,
    connection_folders_parse,
    connection_update,
)
from integrations.services.connection_test import connection_test
from integrations.services.credential_links import credential_link_create

# Model field -> the option that sets it, so validation errors name what the user typed.
FIELD_OPTIONS = {
    "name": "--name",
    "customer_id": "--customer-id",
    "stream_id": "--stream-id",
    "region": "--region",
    "credential_mode": "--platform-credentials",
    "client_id": "--client-id",
    "writeback_client_id": "--writeback-client-id",
    "api_url_override": "--api-url",
    "token_url_override": "--token-url",
    "stream_url_override": "--stream-url",
    "webhook_auth": "--webhook-auth",
    "webhook_username": "--webhook-username",
    "candidate_folders": "--candidate-folders",
    "user_folders": "--user-folders",
    "hourly_call_budget": "--hourly-budget",
    "interview_sync_enabled": "--interview-sync",
    "feedback_enabled": "--feedback",
    "auto_advance_enabled": "--auto-advance",
    "is_active": "--active/--paused",
    "trigger_mode": "--trigger-mode",
}
# Secret field -> its option; each also has an `<option>-env VAR` twin that reads the environment,
# which keeps the secret out of the shell history and the process list.
SECRET_OPTIONS = {
    "client_secret": "--client-secret",
    "writeback_client_secret": "--writeback-client-secret",
    "webhook_password": "--webhook-password",
    "webhook_hmac_key": "--webhook-key",
    "webhook_hmac_key_previous": "--webhook-previous-key",
}
# Options read straight into model fields (dest is the field name).
PLAIN_FIELDS = [
    "name",
    "stream_id",
    "region",
    "client_id",
    "writeback_client_id",
    "api_url_override",
    "token_url_override",
    "stream_url_override",
    "webhook_auth",
    "webhook_username",
    "hourly_call_budget",
    "interview_sync_enabled",
    "feedback_enabled",
    "auto_advance_enabled",
    "is_active",
    "trigger_mode",
]


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _duration(text: str) -> timedelta:
    """`72h`, `3d`, `90m` (a bare number is hours)."""
    value = text.strip().lower()
    unit = value[-1] if value and value[-1] in _DURATION_UNITS else "h"
    number = value[:-1] if value and value[-1] in _DURATION_UNITS else value
    if not number.isdecimal():
        raise argparse.ArgumentTypeError(f"expected a duration such as 72h, 3d or 90m, got {text!r}")
    return timedelta(**{_DURATION_UNITS[unit]: int(number)})


class Command(BaseCommand):
    help = "Add, update or list iCIMS connections (tenants). Secrets are never printed."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        self._arguments_add(subcommands.add_parser("add", help="Register a new iCIMS tenant."))
        self._arguments_update(subcommands.add_parser("update", help="Change the connection with --customer-id."))
        subcommands.add_parser("list", help="Every connection, without secrets.")
        test = subcommands.add_parser(
            "test",
            help="Fetch a token, read the customer and its data stream; exit non-zero and say why when "
            "something does not work.",
        )
        test.add_argument("--customer-id", required=True, help="The connection's iCIMS CustomerId.")
        invite = subcommands.add_parser(
            "invite",
            help="Print a one-time link (shown once) where the customer's iCIMS admin enters its own client id "
            "and secret, tested at once. A new link replaces any earlier one still open.",
        )
        invite.add_argument("--customer-id", required=True, help="The connection's iCIMS CustomerId.")
        invite.add_argument(
            "--expires",
            type=_duration,
            metavar="DURATION",
            help="How long the link works: e.g. 72h (the default, CREDENTIAL_LINK_DEFAULT_EXPIRY_HOURS), 3d, 90m.",
        )
        invite.add_argument("--by", metavar="USERNAME", help="Who made the link, in the audit trail.")

    def handle(self, *args, subcommand: str, **options):
        getattr(self, f"handle_{subcommand}")(**options)

    # -- arguments -------------------------------------------------------------------------------

    def _arguments_add(self, parser) -> None:
        parser.add_argument("--name", required=True, help="How the portal refers to this tenant.")
        parser.add_argument("--customer-id", required=True, help="The iCIMS CustomerId.")
        self._arguments_settings(parser, for_update=False)

    def _arguments_update(self, parser) -> None:
        parser.add_argument("--customer-id", required=True, help="The iCIMS CustomerId of the connection to change.")
        parser.add_argument("--name", help="A new name.")
        self._arguments_settings(parser, for_update=True)
        parser.add_argument(
            "--platform-credentials",
            action="store_true",
            help="Switch to option 1: the platform's own clients from the environment.",
        )
        parser.add_argument(
            "--clear-secret",
            action="append",
            default=[],
            metavar="SECRET",
            choices=[option.removeprefix("--") for option in SECRET_OPTIONS.values()],
            help="Remove a stored secret (repeatable): " + ", ".join(o[2:] for o in SECRET_OPTIONS.values()) + ".",
        )

    def _arguments_settings(self, parser, *, for_update: bool) -> None:
        unchanged = " Unchanged when omitted." if for_update else ""
        parser.add_argument("--stream-id", help="The iCIMS StreamId." + unchanged)
        parser.add_argument("--region", type=str.lower, choices=list(Region.values), help="us, eu or ca." + unchanged)
        parser.add_argument(
            "--client-id",
            help="Option 2: the customer's client id. Without client id and secret, `add` uses "
            "option 1 (the platform's clients).",
        )
        parser.add_argument("--writeback-client-id", help="Option 2, optional: the interview/feedback client id.")
        for field, option in SECRET_OPTIONS.items():
            what = Connection._meta.get_field(field).verbose_name
            group = parser.add_mutually_exclusive_group()
            group.add_argument(option, metavar="VALUE", help=f"The {what} (shows in the process list; prefer -env).")
            group.add_argument(f"{option}-env", metavar="VAR", help=f"Read the {what} from this environment variable.")
        for option, dest, what in [
            ("--api-url", "api_url_override", "API"),
            ("--token-url", "token_url_override", "token"),
            ("--stream-url", "stream_url_override", "data stream"),
        ]:
            parser.add_argument(option, dest=dest, metavar="URL", help=f"The {what} URL, for iCIMS sandboxes only.")
        parser.add_argument(
            "--webhook-auth",
            choices=list(Connection.WebhookAuth.values),
            help="How iCIMS authenticates its webhooks to us." + unchanged,
        )
        parser.add_argument("--webhook-username", help="Basic webhook authentication: the username.")
        parser.add_argument(
            "--trigger-mode",
            choices=list(Connection.TriggerMode.values),
            help="What trigger statuses do: off, shadow (record only) or live." + unchanged,
        )
        parser.add_argument("--candidate-folders", metavar="FOLDERS", help="Comma-separated candidate folders.")
        parser.add_argument("--user-folders", metavar="FOLDERS", help="Comma-separated user folders.")
        parser.add_argument(
            "--hourly-budget",
            dest="hourly_call_budget",
            type=_whole_number,
            metavar="CALLS",
            help="The most iCIMS calls per hour." + unchanged,
        )
        for option, dest, what in [
            ("--interview-sync", "interview_sync_enabled", "Write interviews back to iCIMS."),
            ("--feedback", "feedback_enabled", "Use iCIMS feedback forms."),
            ("--auto-advance", "auto_advance_enabled", "Advance candidates once opened for scheduling."),
        ]:
            parser.add_argument(option, dest=dest, action=argparse.BooleanOptionalAction, help=what + unchanged)
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--active", dest="is_active", action="store_const", const=True, help="Sync and take events.")
        state.add_argument("--paused", dest="is_active", action="store_const", const=False, help="Pause it.")
        parser.add_argument("--by", metavar="USERNAME", help="Whose change this is, in the admin history.")

    # -- handlers --------------------------------------------------------------------------------

    def handle_add(self, *, customer_id: str, **options) -> None:
        changes = self._changes(options)
        new_secrets = self._secrets(options)
        changes["customer_id"] = customer_id
        uses_own_client = bool(changes.get("client_id") or new_secrets.get("client_secret"))
        changes["credential_mode"] = (
            Connection.CredentialMode.CUSTOMER if uses_own_client else Connection.CredentialMode.PLATFORM
        )
        actor = self._actor(options["by"])
        result = self._saving(lambda: connection_create(changes=changes, new_secrets=new_secrets, actor=actor))
        connection = result.connection
        self.stdout.write(self.style.SUCCESS(f"Created connection {connection}."))
        self.stdout.write(f"  Webhook URL to give iCIMS: {connection.webhook_url}")
        self.stdout.write(f"  Scopes to ask iCIMS for:   {', '.join(connection.required_scopes())}")
        if connection.stream_id:
            self.stdout.write(
                f"  Next: `icims_connection test --customer-id {connection.customer_id}` finds the data stream."
            )

    def handle_update(self, *, customer_id: str, platform_credentials: bool, clear_secret: list[str], **options):
        connection = Connection.objects.filter(customer_id=customer_id).first()
        if connection is None:
            raise CommandError(f"No connection has CustomerId {customer_id}. `icims_connection list` shows them.")
        changes = self._changes(options)
        new_secrets = self._secrets(options)
        if platform_credentials:
            if changes.get("client_id") or new_secrets.get("client_secret"):
                raise CommandError("--platform-credentials cannot be combined with --client-id or --client-secret.")
            changes["credential_mode"] = Connection.CredentialMode.PLATFORM
        elif changes.get("client_id") or new_secrets.get("client_secret"):
            changes["credential_mode"] = Connection.CredentialMode.CUSTOMER
        actor = self._actor(options["by"])
        option_fields = {option.removeprefix("--"): field for field, option in SECRET_OPTIONS.items()}
        result = self._saving(
            lambda: connection_update(
                connection=connection,
                changes=changes,
                new_secrets=new_secrets,
                cleared_secrets=[option_fields[option] for option in clear_secret],
                actor=actor,
            )
        )
        if result.changed_fields:
            labels = [str(Connection._meta.get_field(name).verbose_name) for name in result.changed_fields]
            self.stdout.write(self.style.SUCCESS(f"Updated {result.connection}: {', '.join(labels)}."))
        else:
            self.stdout.write(f"Nothing changed for {result.connection}.")

    def handle_list(self, **options) -> None:
        connections = connections_with_onboarding_facts(Connection.objects.all())
        header = ("NAME", "CUSTOMER ID", "REGION", "STATE", "CREDENTIALS", "WEBHOOK AUTH", "ONBOARDING")
        rows = [header] + [self._list_row(connection) for connection in connections]
        widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if len(rows) == 1:
            self.stdout.write("No connections yet: `icims_connection add --help` says how to add one.")

    def handle_test(self, *, customer_id: str, **options) -> None:
        connection = Connection.objects.filter(customer_id=customer_id).first()
        if connection is None:
            raise CommandError(f"No connection has CustomerId {customer_id}. `icims_connection list` shows them.")
        result = connection_test(connection=connection, by="shell")
        self.stdout.write(result.summary())
        if not result.ok:
            raise CommandError(f"The connection {connection} does not work.")
        self.stdout.write(self.style.SUCCESS(f"The connection {connection} works."))

    def handle_invite(self, *, customer_id: str, expires: timedelta | None, by: str | None, **options) -> None:
        connection = Connection.objects.filter(customer_id=customer_id).first()
        if connection is None:
            raise CommandError(f"No connection has CustomerId {customer_id}. `icims_connection list` shows them.")
        try:
            issued = credential_link_create(connection=connection, expires_in=expires, created_by=self._actor(by))
        except ValueError as refused:
            raise CommandError(f"--expires: {refused}") from None
        link_path = reverse("credential-link", args=[issued.token])
        self.stdout.write(
            f"Credential link for {connection} (shown only this once; valid until "
            f"{issued.link.expires_at:%Y-%m-%d %H:%M} UTC, works once):"
        )
        if settings.PORTAL_URL:
            self.stdout.write(f"  {settings.PORTAL_URL.rstrip('/')}{link_path}")
        else:
            self.stdout.write(f"  {link_path}")
            self.stdout.write("  (PORTAL_URL is not set: put the portal's public address in front of this path.)")
        self.stdout.write(f"  Scopes the customer will be asked to grant: {', '.join(connection.required_scopes())}")

    # -- plumbing --------------------------------------------------------------------------------

    @staticmethod
    def _list_row(connection: Connection) -> tuple[str, ...]:
        if connection.credential_mode == Connection.CredentialMode.PLATFORM:
            credentials = "platform clients"
        else:
            hint = connection_secret_hint(connection=connection, field="client_secret") or "no secret"
            credentials = f"{connection.client_id} {hint}"
        return (
            connection.name,
            connection.customer_id,
            connection.region,
            "active" if connection.is_active else "paused",
            credentials,
            connection.webhook_auth,
            connection_onboarding_progress(connection=connection),
        )

    @staticmethod
    def _changes(options: dict) -> dict:
        changes = {field: options[field] for field in PLAIN_FIELDS if options.get(field) is not None}
        for field in ("candidate_folders", "user_folders"):
            if options.get(field) is not None:
                changes[field] = connection_folders_parse(options[field])
        return changes

    @staticmethod
    def _secrets(options: dict) -> dict[str, str]:
        secrets = {}
        for field, option in SECRET_OPTIONS.items():
            dest = option.removeprefix("--").replace("-", "_")
            if options.get(dest) is not None:
                if not options[dest]:
                    raise CommandError(f"{option} is empty. Leave it out to keep the stored secret.")
                secrets[field] = options[dest]
            elif options.get(f"{dest}_env") is not None:
                variable = options[f"{dest}_env"]
                value = os.environ.get(variable, "")
                if not value:
                    raise CommandError(f"{option}-env: the environment variable {variable} is not set or empty.")
                secrets[field] = value
        return secrets

    @staticmethod
    def _actor(username: str | None):
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--by: there is no user {username!r}.")
        return user

    @staticmethod
    def _saving(save) -> ConnectionSaveResult:
        try:
            return save()
        except ValidationError as error:
            lines = []
            for field, messages in error.message_dict.items():
                option = FIELD_OPTIONS.get(field) or SECRET_OPTIONS.get(field) or field
                where = "" if field == NON_FIELD_ERRORS else f"{option}: "
                lines += [f"{where}{message}" for message in messages]
            raise CommandError("Nothing was saved.\n" + "\n".join(lines)) from None
