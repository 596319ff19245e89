"""Background processes leave a heartbeat row ("beat", "worker:<queue>") that /health/ reads."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import current_app
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
