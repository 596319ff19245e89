"""Background processes leave a heartbeat row ("beat", "worker:<queue>") that /health/ reads."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from integrations.models import ProcessHeartbeat

from .task_queue import WORKER_HEARTBEAT

logger = logging.getLogger(__name__)

HEARTBEAT_TASK_NAME = WORKER_HEARTBEAT
BEAT_HEARTBEAT = "beat"


def worker_heartbeat_name(queue: str) -> str:
    return f"worker:{queue}"


def process_heartbeat_record(*, name: str, at: datetime | None = None) -> None:
    """Note that the process is alive; a database hiccup is logged, never raised into the caller's work."""
    try:
        ProcessHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": at or timezone.now()})
    except DatabaseError:
        logger.exception("Could not record the heartbeat of %s", name)


def heartbeat_queues() -> list[str]:
    """The queues a worker must be listening on: the configured ones, or Celery's default queue."""
    queues = current_app.conf.task_queues
    if queues:
        return sorted(queue.name for queue in queues)
    return [current_app.conf.task_default_queue]


def heartbeat_schedule_ensure(**kwargs) -> None:
    """One beat entry per queue, each minute, expiring after its interval. Safe to run after every migrate."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = settings.HEARTBEAT_INTERVAL_SECONDS
    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    for queue in heartbeat_queues():
        PeriodicTask.objects.update_or_create(
            name=f"Worker heartbeat ({queue})",
            defaults={
                "task": HEARTBEAT_TASK_NAME,
                "kwargs": f'{{"queue": "{queue}"}}',
                "queue": queue,
                "interval": interval,
                "crontab": None,
                "expire_seconds": every,
                "description": f"Proves to /health/ that a worker takes work from the {queue} queue.",
            },
        )
