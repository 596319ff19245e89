"""Print a new Fernet key for FIELD_ENCRYPTION_KEYS."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from integrations.encryption import generate_key


class Command(BaseCommand):
    help = "Print a new key for FIELD_ENCRYPTION_KEYS (put it first to encrypt with it; see README, key rotation)."

    def handle(self, *args, **options):
        self.stdout.write(generate_key())
