"""Celery tasks: load ids, call a service. The sync itself is in sync/engine.py."""

from __future__ import annotations

from celery import shared_task

from integrations.models import Connection

from .engine import sync_entity_run
from .services.sync_dispatch_tick import sync_dispatch_tick
from .services.sync_runs_enqueue import sync_runs_publish


@shared_task(name="sync.tasks.sync_entity", ignore_result=True)
def sync_entity(connection_id: int, entity: str, full: bool = False, run_id: int | None = None) -> int | None:
    """One queued run (from the dispatcher or a "sync now"): returns the SyncRun id; a run while another
    holds the lock is recorded as skipped."""
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return None
    return sync_entity_run(connection=connection, entity=entity, full=full, run_id=run_id).pk


@shared_task(name="sync.tasks.sync_dispatch", ignore_result=True)
def sync_dispatch() -> None:
    """The dispatcher's tick (every minute): enqueue the runs that are due, close the abandoned ones."""
    sync_dispatch_tick()


@shared_task(name="sync.tasks.sync_runs_publish", ignore_result=True)
def sync_runs_publish_task(messages: list[list]) -> None:
    """One slice of a dispatcher tick's runs, sent when its second of the minute comes."""
    sync_runs_publish(messages=messages)
