"""The beat entries that drive the sync: one per active connection and entity, every 5 minutes, and a
weekly reconcile per connection. They are ordinary django-celery-beat rows, editable in the admin
(interval, enabled); this module creates them, keeps their arguments right and disables those of
paused connections. An entry expires after its interval, so a worker backlog never replays old ticks.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from integrations.models import Connection

from .models import Entity

logger = logging.getLogger(__name__)

SYNC_INTERVAL_MINUTES = 5
SYNC_TASK = "sync.tasks.sync_entity"
RECONCILE_TASK = "sync.tasks.sync_reconcile"
# Sunday night, UTC; each connection gets its own minute of the hour so reconciles do not start together.
RECONCILE_DAY_OF_WEEK, RECONCILE_HOUR = "0", "2"
WEEK_SECONDS = 7 * 24 * 3600


def sync_task_name(*, connection: Connection, entity: str) -> str:
    return f"iCIMS sync {connection.customer_id} {entity}"


def reconcile_task_name(*, connection: Connection) -> str:
    return f"iCIMS reconcile {connection.customer_id}"


@transaction.atomic
def sync_schedules_ensure(*, connection: Connection) -> list[PeriodicTask]:
    """Create or update the connection's beat entries; enabled exactly when the connection is active.

    An interval or crontab an admin changed by hand is kept; the task, arguments and expiry are reset.
    """
    every_five, _ = IntervalSchedule.objects.get_or_create(every=SYNC_INTERVAL_MINUTES, period=IntervalSchedule.MINUTES)
    weekly, _ = CrontabSchedule.objects.get_or_create(
        minute=str(connection.pk % 60),
        hour=RECONCILE_HOUR,
        day_of_week=RECONCILE_DAY_OF_WEEK,
        day_of_month="*",
        month_of_year="*",
        timezone="UTC",
    )
    entries = []
    for entity in Entity.values:
        entries.append(
            _entry(
                name=sync_task_name(connection=connection, entity=entity),
                task=SYNC_TASK,
                kwargs={"connection_id": connection.pk, "entity": entity},
                enabled=connection.is_active,
                defaults={"interval": every_five, "expire_seconds": SYNC_INTERVAL_MINUTES * 60},
                description=f"Incremental sync of {entity} (or the full walk pending) for {connection.name}.",
            )
        )
    entries.append(
        _entry(
            name=reconcile_task_name(connection=connection),
            task=RECONCILE_TASK,
            kwargs={"connection_id": connection.pk},
            enabled=connection.is_active,
            defaults={"crontab": weekly, "expire_seconds": WEEK_SECONDS},
            description=f"Weekly full reconcile of jobs, candidates and users for {connection.name}.",
        )
    )
    return entries


def _entry(*, name: str, task: str, kwargs: dict, enabled: bool, defaults: dict, description: str) -> PeriodicTask:
    entry = PeriodicTask.objects.filter(name=name).first()
    if entry is None:
        entry = PeriodicTask(name=name, **defaults)
    if entry.interval_id is None and entry.crontab_id is None:
        for key, value in defaults.items():
            setattr(entry, key, value)
    changes = {
        "task": task,
        "kwargs": json.dumps(kwargs),
        "enabled": enabled,
        "description": description,
        "expire_seconds": entry.expire_seconds or defaults["expire_seconds"],
    }
    if entry.pk is None or any(getattr(entry, key) != value for key, value in changes.items()):
        for key, value in changes.items():
            setattr(entry, key, value)
        entry.save()
        logger.info("Beat entry %r saved (enabled=%s)", name, enabled)
    return entry


def sync_schedules_ensure_all() -> int:
    """Every connection's entries (a deploy or a repair runs this); returns how many connections."""
    connections = list(Connection.objects.all())
    for connection in connections:
        sync_schedules_ensure(connection=connection)
    return len(connections)


def schedules_follow_connection(sender, instance: Connection, raw: bool = False, **kwargs) -> None:
    """post_save of a Connection: its beat entries follow (created, re-pointed, enabled or disabled)."""
    if not raw:
        sync_schedules_ensure(connection=instance)
