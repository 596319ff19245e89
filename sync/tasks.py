"""Celery tasks: load ids, call a service. The sync itself is in sync/engine.py."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from integrations.models import SECRET_FIELDS, Connection

from .engine import sync_entity_run
from .services.sync_dispatch_tick import sync_dispatch_tick
from .services.sync_due_claim import (
    SYNC_CLAIMS_RELEASE_TASK,
    SYNC_DUE_CLAIM_TASK,
    sync_claims_release,
    sync_due_claim,
)
from .services.sync_runs_enqueue import SYNC_ENTITY_TASK

# Runs go to the `sync` queue (settings: CELERY_TASK_ROUTES); at its soft limit a run stops as deferred.
SYNC_TASK_OPTIONS = {
    "ignore_result": True,
    "soft_time_limit": settings.SYNC_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.SYNC_TASK_TIME_LIMIT,
}
# The dispatcher's own tasks are short and on a clock: they go to the `urgent` queue, never behind a run.
DISPATCH_TASK_OPTIONS = {
    "ignore_result": True,
    "soft_time_limit": settings.URGENT_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.URGENT_TASK_TIME_LIMIT,
}


@shared_task(name=SYNC_ENTITY_TASK, **SYNC_TASK_OPTIONS)
def sync_entity(connection_id: int, entity: str, full: bool = False, run_id: int | None = None) -> int | None:
    """One queued run (from the dispatcher or a "sync now"): returns the SyncRun id; a run while another
    holds the lock is recorded as skipped."""
    connection = Connection.objects.defer(*SECRET_FIELDS).filter(pk=connection_id).first()  # read by the run
    if connection is None:
        return None
    return sync_entity_run(connection=connection, entity=entity, full=full, run_id=run_id).pk


@shared_task(name="sync.tasks.sync_dispatch", **DISPATCH_TASK_OPTIONS)
def sync_dispatch() -> None:
    """The dispatcher's tick (every minute): send claims for the runs that are due, close the abandoned ones."""
    sync_dispatch_tick()


@shared_task(name=SYNC_DUE_CLAIM_TASK, **SYNC_TASK_OPTIONS)
def sync_due_claim_task() -> int | None:
    """A claim the dispatcher sent: run the earliest due (connection, entity); returns the SyncRun id."""
    run = sync_due_claim()
    return run.pk if run is not None else None


@shared_task(name=SYNC_CLAIMS_RELEASE_TASK, **DISPATCH_TASK_OPTIONS)
def sync_claims_release_task(counts: list[int]) -> None:
    """One slice of a tick's claims onto the sync queue; the rest a slice later."""
    sync_claims_release(counts=counts)
