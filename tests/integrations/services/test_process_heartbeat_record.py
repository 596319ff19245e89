"""Heartbeats: beat entries per queue, written by the worker that takes them, and by beat when it publishes."""

from __future__ import annotations

import json

from django_celery_beat.models import PeriodicTask

from goodtime_icims.celery import BeatHeartbeat
from integrations.models import ProcessHeartbeat
from integrations.services.process_heartbeat_record import (
    HEARTBEAT_TASK_NAME,
    heartbeat_queues,
    heartbeat_schedule_ensure,
)
from integrations.tasks import worker_heartbeat


def test_every_queue_has_a_heartbeat_entry_each_minute_after_migrate(db):
    entries = PeriodicTask.objects.filter(task=HEARTBEAT_TASK_NAME)  # created after migrate

    assert sorted(entry.queue for entry in entries) == heartbeat_queues()
    for entry in entries:
        assert json.loads(entry.kwargs) == {"queue": entry.queue}
        assert (entry.interval.every, entry.expire_seconds) == (60, 60)


def test_ensuring_the_entries_again_keeps_one_per_queue(db):
    heartbeat_schedule_ensure()
    heartbeat_schedule_ensure()

    assert PeriodicTask.objects.filter(task=HEARTBEAT_TASK_NAME).count() == len(heartbeat_queues())


def test_the_worker_that_takes_the_heartbeat_task_records_its_queue(db):
    worker_heartbeat.apply(kwargs={"queue": "urgent"})

    assert ProcessHeartbeat.objects.filter(name="worker:urgent").exists()


def test_only_the_beat_process_records_a_beat_heartbeat_when_publishing(db):
    web = BeatHeartbeat()
    web.task_published()
    assert not ProcessHeartbeat.objects.exists()

    beat = BeatHeartbeat()
    beat.beat_started()
    beat.task_published()
    first = ProcessHeartbeat.objects.get(name="beat").beat_at
    beat.task_published()  # within 15 seconds: not written again

    assert ProcessHeartbeat.objects.get(name="beat").beat_at == first
