"""Celery tasks: load ids, call a service. The sync itself is in sync/engine.py."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from integrations.models import Connection

from .engine import sync_entity_run
from .models import Entity

# On the `sync` queue (settings: CELERY_TASK_ROUTES); at its soft limit a run stops as deferred.
SYNC_TASK_OPTIONS = {
    "ignore_result": True,
    "soft_time_limit": settings.SYNC_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.SYNC_TASK_TIME_LIMIT,
}


@shared_task(**SYNC_TASK_OPTIONS)
def sync_entity(connection_id: int, entity: str, full: bool = False) -> int | None:
    """One beat tick (or a "sync now"): returns the SyncRun id; a tick while another run holds the lock is
    recorded as skipped."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return None
    return sync_entity_run(connection=connection, entity=entity, full=full).pk


@shared_task(**SYNC_TASK_OPTIONS)
def sync_reconcile(connection_id: int) -> None:
    """The weekly reconcile: each entity walks every record (runs in parallel workers, one per entity)."""
    for entity in Entity.values:
        sync_entity.delay(connection_id, entity, full=True)
