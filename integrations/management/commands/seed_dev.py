"""Prepare a development portal: an admin login and the sandbox connection. Idempotent."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from integrations.services.dev_seed import dev_seed
from integrations.services.icims_clients import icims_allowed_hosts


class Command(BaseCommand):
    help = "Create (or refresh) the development admin login and the sandbox tenant's connection."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="Port the portal will listen on.")
        parser.add_argument("--sandbox-port", type=int, default=8001, help="Port the iCIMS sandbox listens on.")

    def handle(self, *args, port: int, sandbox_port: int, **options):
        password = secrets.token_urlsafe(12)
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        result = dev_seed(admin_password=password, sandbox_url=sandbox_url)
        refusal = icims_allowed_hosts().refusal(sandbox_url)
        if refusal:
            # A .env written before ICIMS_ALLOWED_HOSTS existed: the portal would refuse to call the sandbox.
            self.stderr.write(
                self.style.WARNING(f"{refusal} Add 127.0.0.1:{sandbox_port} to ICIMS_ALLOWED_HOSTS in .env.")
            )
        user_model = get_user_model()
        self.stdout.write(self.style.SUCCESS("\ngoodtime-icims is starting."))
        self.stdout.write(f"  Admin:    http://127.0.0.1:{port}/admin/")
        self.stdout.write(f"  Login:    {result.admin_username} / {password}")
        self.stdout.write(
            f"  2FA:      TOTP secret {result.second_factor.secret_base32} (add it to an authenticator app,"
        )
        self.stdout.write(f"            or `oathtool --totp -b {result.second_factor.secret_base32}`)")
        self.stdout.write(f"            or a recovery code: {', '.join(result.second_factor.recovery_codes[:3])}")
        self.stdout.write(f"  Tenant:   {result.connection} (the built-in iCIMS sandbox)")
        self.stdout.write(
            f"  ({user_model.objects.count()} users; password and 2FA secret are new on every `make run`)\n"
        )
