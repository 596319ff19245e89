"""Manage an admin user's second factor from the shell: enroll, reset (a lost phone), new recovery codes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from integrations.services.admin_two_factor import (
    AlreadyEnrolled,
    two_factor_enroll,
    two_factor_recovery_codes_renew,
    two_factor_required,
    two_factor_reset,
)


class Command(BaseCommand):
    help = "Enroll, reset or renew the recovery codes of an admin user's second factor (TOTP)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["enroll", "reset", "recovery-codes", "status"])
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="enroll: replace an existing second factor.")

    def handle(self, *args, action: str, username: str, replace: bool, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

        if action == "status":
            state = "has a second factor" if two_factor_required(user=user) else "has no second factor"
            self.stdout.write(f"{username} {state}.")
        elif action == "enroll":
            try:
                enrollment = two_factor_enroll(user=user, replace=replace)
            except AlreadyEnrolled as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Second factor enrolled for {username}. Add it to an authenticator app:")
            self.stdout.write(f"  secret:  {enrollment.secret_base32}")
            self.stdout.write(f"  link:    {enrollment.config_url}")
            self._recovery_codes(enrollment.recovery_codes)
        elif action == "recovery-codes":
            if not two_factor_required(user=user):
                raise CommandError(f"{username} has no second factor; enroll it first.")
            self._recovery_codes(two_factor_recovery_codes_renew(user=user))
        else:
            removed = two_factor_reset(user=user)
            self.stdout.write(f"Removed {removed} second-factor device(s) of {username}.")
            if user.is_superuser:
                self.stdout.write(f"A superuser cannot sign in without one: run `two_factor enroll {username}`.")

    def _recovery_codes(self, codes: list[str]) -> None:
        self.stdout.write("  recovery codes (each works once; store them safely, they are not shown again):")
        for code in codes:
            self.stdout.write(f"    {code}")
