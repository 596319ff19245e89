"""`python manage.py icims_sync [--queue] [--customer-id ID] [--entity jobs|candidates|users] [--full]`: the sync,
in the foreground, with progress on stderr (the log) and a summary per run; exits non-zero when a run failed.
With `--queue` the runs go to the workers instead (what the admin's "Sync now" does) and it returns at once."""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from integrations.models import Connection
from sync.engine import sync_entity_run
from sync.models import Entity, SyncRun
from sync.services.sync_runs_enqueue import sync_runs_enqueue_for_connections


class Command(BaseCommand):
    help = "Sync iCIMS jobs, candidates and users now, in the foreground (what the 5-minute schedule does)."

    def add_arguments(self, parser):
        parser.add_argument("--customer-id", help="Only this connection (iCIMS CustomerId). Default: every active one.")
        parser.add_argument("--entity", choices=Entity.values, help="Only this entity. Default: all three.")
        parser.add_argument(
            "--full", action="store_true", help="Walk every record in scope (a reconcile) instead of what changed."
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Queue the runs on the workers and return at once (follow them under Sync runs in the admin).",
        )

    def handle(self, *args, customer_id=None, entity=None, full=False, queue=False, verbosity=1, **options):
        connections = Connection.objects.filter(is_active=True).order_by("name")
        if customer_id:
            connections = Connection.objects.filter(customer_id=customer_id)
            if not connections.exists():
                raise CommandError(f"No connection with CustomerId {customer_id}.")
        if queue:
            self._queue(list(connections), entity=entity, full=full)
            return
        if verbosity >= 1:
            # Progress lines (one per committed batch) come from the engine's log.
            logging.getLogger("sync").setLevel(logging.INFO)
        failed = 0
        for connection in connections:
            for name in [entity] if entity else Entity.values:
                run = sync_entity_run(connection=connection, entity=name, full=full)
                line = (
                    f"{connection.customer_id} {name} {run.mode}: {run.status}; seen {run.seen_count}, "
                    f"created {run.created_count}, updated {run.updated_count}, unchanged {run.unchanged_count}, "
                    f"left scope {run.left_scope_count}, deleted {run.deleted_count}; {run.calls_spent} calls"
                )
                if run.status == SyncRun.Status.FAILED:
                    failed += 1
                    self.stderr.write(f"{line}. Error: {run.error}")
                elif run.status == SyncRun.Status.SKIPPED:
                    self.stdout.write(f"{connection.customer_id} {name}: skipped ({run.error})")
                else:
                    self.stdout.write(self.style.SUCCESS(line))
        if failed:
            raise CommandError(f"{failed} sync run(s) failed.")

    def _queue(self, connections: list[Connection], *, entity: str | None, full: bool) -> None:
        paused = [connection.customer_id for connection in connections if not connection.is_active]
        if paused:
            self.stderr.write(f"Paused, not queued: {', '.join(paused)}.")
        runs = sync_runs_enqueue_for_connections(
            connections=connections, entities=[entity] if entity else None, full=full
        )
        customer_ids = {connection.pk: connection.customer_id for connection in connections}
        for run in runs:
            self.stdout.write(f"{customer_ids[run.connection_id]} {run.entity}: queued (run {run.pk})")
        asked = (len(connections) - len(paused)) * (1 if entity else len(Entity.values))
        busy = asked - len(runs)
        self.stdout.write(
            self.style.SUCCESS(f"Queued {len(runs)} run(s)" + (f"; {busy} already queued or running." if busy else "."))
        )
