"""The beat entries: every 5 minutes per active connection and entity, expiring after their interval, a weekly
reconcile per connection, and disabled while the connection is paused."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from integrations.models import Connection
from integrations.services.connection_pause import connections_set_active
from sync.models import Entity
from sync.schedules import sync_schedules_ensure

pytestmark = pytest.mark.django_db


def entries_of(connection):
    return {entry.name: entry for entry in PeriodicTask.objects.filter(name__contains=connection.customer_id)}


def test_a_saved_connection_gets_a_five_minute_entry_per_entity_and_a_weekly_reconcile(connection):
    entries = entries_of(connection)
    assert set(entries) == {f"iCIMS sync 2187 {entity}" for entity in Entity.values} | {"iCIMS reconcile 2187"}
    for entity in Entity.values:
        entry = entries[f"iCIMS sync 2187 {entity}"]
        assert (entry.task, entry.enabled, entry.expire_seconds) == ("sync.tasks.sync_entity", True, 300)
        assert (entry.interval.every, entry.interval.period) == (5, IntervalSchedule.MINUTES)
        assert json.loads(entry.kwargs) == {"connection_id": connection.pk, "entity": entity}
    reconcile = entries["iCIMS reconcile 2187"]
    assert (reconcile.task, reconcile.crontab.day_of_week) == ("sync.tasks.sync_reconcile", "0")


def test_pausing_a_connection_disables_its_entries_and_resuming_enables_them(connection):
    connections_set_active(connections=Connection.objects.filter(pk=connection.pk), active=False)
    assert {entry.enabled for entry in entries_of(connection).values()} == {False}
    connections_set_active(connections=Connection.objects.filter(pk=connection.pk), active=True)
    assert {entry.enabled for entry in entries_of(connection).values()} == {True}


def test_an_interval_an_admin_changed_is_kept(connection):
    entry = PeriodicTask.objects.get(name="iCIMS sync 2187 jobs")
    entry.interval = IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES)
    entry.save()
    sync_schedules_ensure(connection=connection)
    assert PeriodicTask.objects.get(name="iCIMS sync 2187 jobs").interval.every == 15
    assert PeriodicTask.objects.filter(name__startswith="iCIMS sync 2187").count() == 3
