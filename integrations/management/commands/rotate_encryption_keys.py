"""Re-encrypt every connection secret under the first key of FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from integrations.services.connection_secrets_reencrypt import SecretsNotReencrypted, connection_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the first key of FIELD_ENCRYPTION_KEYS, so older keys can be "
        "removed. All or nothing: fails without changes if any secret cannot be decrypted."
    )

    def handle(self, *args, **options):
        try:
            report = connection_secrets_reencrypt()
        except SecretsNotReencrypted as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {report.secrets} secret(s) of {report.connections} connection(s) under the first key."
            )
        )
