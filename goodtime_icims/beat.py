"""Every beat entry of the portal, in one place: a name, the task (by its `task.name`), and how often.

They are django-celery-beat rows (the admin's Periodic tasks), written after every `migrate` by
`beat_entries_ensure`; each expires after its interval, so a worker backlog never replays old ticks.
The sync needs one entry for every tenant: the dispatcher reads from the database which runs are due.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from celery import Task
from django.conf import settings

from integrations.services.alerts_schedule import ALERTS_PERIODIC_TASK_NAME
from integrations.services.process_heartbeat_record import heartbeat_queues
from integrations.services.stages_lint import LINT_PERIODIC_TASK_NAME
from integrations.tasks import (
    alerts_check,
    platform_webhooks_sweep,
    records_prune,
    stages_lint_all,
    webhook_events_sweep,
    worker_heartbeat,
    writebacks_due_sweep,
)
from sync.tasks import sync_dispatch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BeatEntry:
    name: str
    task: Task
    interval_setting: str
    description: str

    @property
    def every_seconds(self) -> int:
        return int(getattr(settings, self.interval_setting))


BEAT_ENTRIES = (
    BeatEntry(
        name="Dispatch due sync runs",
        task=sync_dispatch,
        interval_setting="SYNC_DISPATCH_INTERVAL_SECONDS",
        description="Queues the sync runs that are due for every active connection; closes abandoned runs.",
    ),
    BeatEntry(
        name="Sweep stuck webhook events",
        task=webhook_events_sweep,
        interval_setting="WEBHOOK_SWEEP_INTERVAL_SECONDS",
        description="Re-enqueues iCIMS webhook events whose Celery message got lost.",
    ),
    BeatEntry(
        name="Send due write-backs",
        task=writebacks_due_sweep,
        interval_setting="WRITEBACK_SWEEP_INTERVAL_SECONDS",
        description="Sends write-backs whose retry time has come; rescues ones a lost worker held.",
    ),
    BeatEntry(
        name="Send due platform webhooks",
        task=platform_webhooks_sweep,
        interval_setting="PLATFORM_WEBHOOK_SWEEP_INTERVAL_SECONDS",
        description="Sends platform webhook deliveries whose retry time has come; rescues ones a lost worker held.",
    ),
    BeatEntry(
        name="Prune old records",
        task=records_prune,
        interval_setting="RETENTION_INTERVAL_SECONDS",
        description="Deletes finished webhook events, sync runs and platform deliveries older than RETENTION_DAYS.",
    ),
    BeatEntry(
        name=ALERTS_PERIODIC_TASK_NAME,
        task=alerts_check,
        interval_setting="ALERTS_CHECK_INTERVAL_SECONDS",
        description="Stores each connection's health, opens and resolves alerts, queues their notifications.",
    ),
)


def beat_entries_ensure(**kwargs) -> None:
    """Create or update every entry from BEAT_ENTRIES (task, interval, expiry). Safe after every migrate."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for entry in BEAT_ENTRIES:
        every = entry.every_seconds
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.update_or_create(
            name=entry.name,
            defaults={
                "task": entry.task.name,
                "interval": interval,
                "crontab": None,
                "expire_seconds": every,
                "description": entry.description,
            },
        )
    _worker_heartbeat_entries_ensure()
    _stages_lint_entry_ensure()


def _worker_heartbeat_entries_ensure() -> None:
    """One entry per queue, each minute, routed to that queue: /health/ sees which queues a worker serves."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = settings.HEARTBEAT_INTERVAL_SECONDS
    interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
    for queue in heartbeat_queues():
        PeriodicTask.objects.update_or_create(
            name=f"Worker heartbeat ({queue})",
            defaults={
                "task": worker_heartbeat.name,
                "kwargs": json.dumps({"queue": queue}),
                "queue": queue,
                "interval": interval,
                "crontab": None,
                "expire_seconds": every,
                "description": f"Proves to /health/ that a worker takes work from the {queue} queue.",
            },
        )


def _stages_lint_entry_ensure() -> None:
    """The stage linter, daily at 04:30 UTC (before the working day); an admin's change of the time is kept."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if PeriodicTask.objects.filter(name=LINT_PERIODIC_TASK_NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="4", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.create(
        name=LINT_PERIODIC_TASK_NAME,
        task=stages_lint_all.name,
        crontab=crontab,
        expire_seconds=24 * 3600,
        description="Flags trigger statuses iCIMS no longer lists and webhook status ids no stage knows.",
    )
