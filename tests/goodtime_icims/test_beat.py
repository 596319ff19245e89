"""The beat entries: one per job of the portal (not per tenant), each on its task's name, expiring after its
interval, written after every migrate and kept in line with the settings."""

from __future__ import annotations

import json

from django_celery_beat.models import PeriodicTask

from goodtime_icims.beat import BEAT_ENTRIES, beat_entries_ensure
from integrations.models import Connection
from integrations.services.connection_save import connection_save
from integrations.services.process_heartbeat_record import heartbeat_queues
from integrations.tasks import worker_heartbeat


def _rows() -> dict[str, tuple[str, int, int]]:
    return {
        task.name: (task.task, task.interval.every, task.expire_seconds)
        # The stage linter's daily crontab and the alerts tick keep their own post_migrate hooks.
        for task in PeriodicTask.objects.select_related("interval").filter(name__in=[e.name for e in BEAT_ENTRIES])
    }


def test_after_migrate_each_entry_exists_on_its_task_name_with_expiry_equal_to_its_interval(db, settings):
    assert {name: row for name, row in _rows().items() if name in {entry.name for entry in BEAT_ENTRIES}} == {
        "Dispatch due sync runs": (
            "sync.tasks.sync_dispatch",
            settings.SYNC_DISPATCH_INTERVAL_SECONDS,
            settings.SYNC_DISPATCH_INTERVAL_SECONDS,
        ),
        "Sweep stuck webhook events": (
            "integrations.tasks.webhook_events_sweep",
            settings.WEBHOOK_SWEEP_INTERVAL_SECONDS,
            settings.WEBHOOK_SWEEP_INTERVAL_SECONDS,
        ),
        "Send due write-backs": (
            "integrations.tasks.writebacks_due_sweep",
            settings.WRITEBACK_SWEEP_INTERVAL_SECONDS,
            settings.WRITEBACK_SWEEP_INTERVAL_SECONDS,
        ),
        "Send due platform webhooks": (
            "integrations.tasks.platform_webhooks_sweep",
            settings.PLATFORM_WEBHOOK_SWEEP_INTERVAL_SECONDS,
            settings.PLATFORM_WEBHOOK_SWEEP_INTERVAL_SECONDS,
        ),
        "Prune old records": (
            "integrations.tasks.records_prune",
            settings.RETENTION_INTERVAL_SECONDS,
            settings.RETENTION_INTERVAL_SECONDS,
        ),
        "Alerts: evaluate every rule": (
            "integrations.tasks.alerts_check",
            settings.ALERTS_CHECK_INTERVAL_SECONDS,
            settings.ALERTS_CHECK_INTERVAL_SECONDS,
        ),
    }
    assert not [row for row in _rows().values() if row[0].startswith("sync.")][3:]  # never one per tenant


def test_a_changed_interval_setting_moves_the_entry_and_its_expiry_without_a_duplicate(db, settings):
    settings.WEBHOOK_SWEEP_INTERVAL_SECONDS = 30
    beat_entries_ensure()

    assert _rows()["Sweep stuck webhook events"][1:] == (30, 30)
    assert PeriodicTask.objects.filter(name="Sweep stuck webhook events").count() == 1


def test_new_connections_add_no_beat_entry(db):
    before = PeriodicTask.objects.count()
    for number in range(3):
        connection_save(
            connection=Connection(
                name=f"Tenant {number}",
                customer_id=f"90{number}",
                credential_mode=Connection.CredentialMode.CUSTOMER,
                client_id="client",
                client_secret="secret-value-123456",
                webhook_username=f"icims-{number}",
                webhook_password="webhook-password-5678",
            )
        )

    assert PeriodicTask.objects.count() == before


def test_every_queue_has_a_heartbeat_entry_each_minute_after_migrate(db):
    entries = PeriodicTask.objects.filter(task=worker_heartbeat.name)  # created after migrate

    assert sorted(entry.queue for entry in entries) == heartbeat_queues()
    for entry in entries:
        assert json.loads(entry.kwargs) == {"queue": entry.queue}
        assert (entry.interval.every, entry.expire_seconds) == (60, 60)


def test_ensuring_the_entries_again_keeps_one_per_queue(db):
    beat_entries_ensure()
    beat_entries_ensure()

    assert PeriodicTask.objects.filter(task=worker_heartbeat.name).count() == len(heartbeat_queues())
