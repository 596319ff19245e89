"""The beat entry of the alerts tick: every minute, evaluate every rule (`integrations.tasks.alerts_check`)."""

from __future__ import annotations

from .task_queue import ALERTS_CHECK

ALERTS_PERIODIC_TASK_NAME = "Alerts: evaluate every rule"
ALERTS_INTERVAL_SECONDS = 60


def alerts_schedule_ensure(**kwargs) -> None:
    """The beat entry of the alerts tick, every minute. Safe to run after every migrate.

    `expire_seconds` equals the interval, so a backlog of ticks never replays stale evaluations.
    """
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=ALERTS_INTERVAL_SECONDS, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.update_or_create(
        name=ALERTS_PERIODIC_TASK_NAME,
        defaults={
            "task": ALERTS_CHECK,
            "interval": interval,
            "crontab": None,
            "expire_seconds": ALERTS_INTERVAL_SECONDS,
            "description": "Stores each connection's health, opens and resolves alerts, queues their notifications.",
        },
    )
