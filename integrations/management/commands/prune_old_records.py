"""`manage.py prune_old_records [--days N]`: what the hourly beat entry does, now, with progress.

Run it once after turning retention on for a service with a long history: the first pass may delete
millions of rows, a batch at a time, and says how far it got as it goes.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.services.records_prune import records_prune


class Command(BaseCommand):
    help = "Delete finished webhook events, sync runs and platform webhook deliveries older than RETENTION_DAYS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Keep this many days (default: RETENTION_DAYS).")

    def handle(self, *args, days: int | None, **options) -> None:
        days = settings.RETENTION_DAYS if days is None else days
        if days <= 0:
            raise CommandError("Retention is off (RETENTION_DAYS=0 or --days 0): nothing to delete.")

        def progress(kind: str, deleted: int) -> None:
            self.stdout.write(f"  {kind}: {deleted} deleted so far")

        deleted = records_prune(days=days, progress=progress)
        summary = ", ".join(f"{count} {kind}" for kind, count in deleted.items())
        self.stdout.write(f"Deleted what ended more than {days} days ago: {summary}.")
