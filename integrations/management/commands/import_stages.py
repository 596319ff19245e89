"""The admin's stages import from the shell: preview, then apply unless --dry-run."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from integrations.models import Connection
from integrations.services.stages_import import (
    StagesImportPlan,
    StagesImportRejected,
    StagesMassDeactivationUnconfirmed,
    stages_import_apply,
    stages_import_preview,
)
from integrations.stages_file import MAX_FILE_BYTES, StagesFileError


class Command(BaseCommand):
    help = (
        "Import a tenant's bins & statuses export (CSV or XLSX: Bin, Status, Status ID). Prints the preview; "
        "writes nothing with --dry-run or when any row has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer-id", required=True, help="The connection's iCIMS CustomerId.")
        parser.add_argument("file", type=Path, help="The CSV or XLSX export.")
        parser.add_argument("--dry-run", action="store_true", help="Print the preview only.")
        parser.add_argument(
            "--allow-mass-deactivation",
            action="store_true",
            help="Apply even when the file deactivates more than a quarter of the active stages.",
        )
        parser.add_argument(
            "--user", help="Username recorded in the admin history. Default: the first active superuser."
        )

    def handle(
        self,
        *args,
        customer_id: str,
        file: Path,
        dry_run: bool,
        user: str | None,
        allow_mass_deactivation: bool = False,
        **options,
    ):
        connection = Connection.objects.filter(customer_id=customer_id).first()
        if connection is None:
            raise CommandError(f"No connection has CustomerId {customer_id!r}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{file} is larger than the {MAX_FILE_BYTES // 1024 // 1024} MB limit.")
        history_user = None if dry_run else self._history_user(user)
        try:
            plan = stages_import_preview(connection=connection, content=file.read_bytes(), file_name=file.name)
        except StagesFileError as error:
            raise CommandError(str(error)) from error

        self._print_plan(plan)
        if not plan.can_apply:
            raise CommandError(f"{len(plan.errors)} row error(s); nothing was imported.")
        if dry_run:
            self.stdout.write("Dry run: nothing was imported.")
            return
        try:
            plan = stages_import_apply(
                connection=connection,
                rows=plan.rows,
                file_name=file.name,
                user_id=history_user.pk,
                allow_mass_deactivation=allow_mass_deactivation,
            )
        except StagesImportRejected as rejected:
            self._print_plan(rejected.plan)
            raise CommandError(str(rejected)) from rejected
        except StagesMassDeactivationUnconfirmed as unconfirmed:
            raise CommandError(
                f"Nothing was imported: {unconfirmed} Run again with --allow-mass-deactivation."
            ) from unconfirmed
        self.stdout.write(
            self.style.SUCCESS(f"Imported stages for {connection} as {history_user.get_username()}: {plan.summary}.")
        )

    def _history_user(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        found = users.filter(username=username).first() if username else users.filter(is_superuser=True).first()
        if found is None:
            raise CommandError(
                f"No active user {username!r}."
                if username
                else "No active superuser to record in the history; pass --user USERNAME."
            )
        return found

    def _print_plan(self, plan: StagesImportPlan) -> None:
        self.stdout.write(f"{plan.file_name} for {plan.connection}: {plan.summary}.")
        for planned in plan.changed:
            self.stdout.write(
                f"  change row {planned.line}: {planned.after.bin} / {planned.after.status}: "
                + "; ".join(planned.differences)
            )
        for planned in plan.deactivated:
            self.stdout.write(f"  deactivate: {planned.after.bin} / {planned.after.status}")
        for warning in plan.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        for error in plan.errors:
            self.stderr.write(self.style.ERROR(f"Error: {error}"))
