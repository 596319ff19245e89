"""Heartbeats: written by the worker that takes them, and by beat when it publishes."""

from __future__ import annotations

from goodtime_icims.celery import BeatHeartbeat
from integrations.models import ProcessHeartbeat
from integrations.tasks import worker_heartbeat


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
