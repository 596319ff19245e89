"""Every beat entry of the portal, in one place: a name, the task (by its `task.name`), and how often.

They are django-celery-beat rows (the admin's Periodic tasks), written after every `migrate` by
`beat_entries_ensure`; each expires after its interval, so a worker backlog never replays old ticks.
The sync needs one entry for every tenant: the dispatcher reads from the database which runs are due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from celery import Task
from django.conf import settings

from integrations.tasks import webhook_events_sweep, writebacks_due_sweep
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
