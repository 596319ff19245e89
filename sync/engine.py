"""One sync run of one connection and entity: take the lock, pick the mode, record the run.

Modes, in order of precedence:
- a full walk (backfill on the first sync, reconcile when requested or when the folders changed) while
  one is pending: it resumes from its checkpoint;
- the data stream when the connection has a StreamId, falling back to search when the stream fails;
- search by `updateddate` window otherwise.
Every run, even a skipped one, leaves a SyncRun row; failures are recorded, never half-committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsError
from integrations.models import Connection
from integrations.services.icims_clients import icims_client_for

from .backfill import backfill_run, full_run_request
from .engine_search import search_incremental_run
from .engine_stream import StreamUnavailable, stream_incremental_run
from .entities import entity_spec
from .locks import SyncLock
from .models import Entity, SyncRun, SyncState
from .run_context import WRITE_BATCH_SIZE, RunContext, RunDeferred, RunPaused
from .scope import scope_folders, search_path
from .services.data_age_record import data_age_record
from .shared_reads import INCREMENTAL_MODES, group_lock_name, group_states, read_group, served_recently

logger = logging.getLogger(__name__)


def sync_state_for(*, connection: Connection, entity: str) -> SyncState:
    return SyncState.objects.get_or_create(connection=connection, entity=entity)[0]


def planned_mode(*, connection: Connection, state: SyncState) -> str:
    if state.backfill_checkpoint is not None or state.last_full_run_at is None:
        return SyncRun.Mode.BACKFILL if state.last_full_run_at is None else SyncRun.Mode.RECONCILE
    if connection.stream_id:
        return SyncRun.Mode.INCREMENTAL_STREAM
    return SyncRun.Mode.INCREMENTAL_SEARCH


def _skipped(
    *, connection: Connection, entity: str, mode: str, reason: str, at: datetime, queued: SyncRun | None
) -> SyncRun:
    logger.info("Sync %s %s skipped: %s", connection.customer_id, entity, reason)
    run = queued or SyncRun(connection=connection, entity=entity)
    run.mode, run.status, run.started_at, run.finished_at, run.error = mode, SyncRun.Status.SKIPPED, at, at, reason
    run.save()
    return run


def _served(*, connection: Connection, state: SyncState, mode: str, at: datetime, queued: SyncRun | None) -> SyncRun:
    """A run another entity's read already did: succeeded, no call, dated from that read (its data is that old)."""
    served_by = (
        SyncRun.objects.filter(
            connection=connection,
            entity__in=read_group(mode=mode, entity=state.entity),
            mode=mode,
            status=SyncRun.Status.SUCCEEDED,
            served_by="",
        )
        .exclude(entity=state.entity)
        .order_by("-started_at")
        .values_list("entity", flat=True)
        .first()
    )
    logger.info("Sync %s %s: served by the %s run's read", connection.customer_id, state.entity, served_by)
    run = queued or SyncRun(connection=connection, entity=state.entity)
    run.mode, run.status, run.served_by = mode, SyncRun.Status.SUCCEEDED, served_by or ""
    run.started_at, run.finished_at = state.served_at, at
    run.save()
    return run


def _queued_run(*, run_id: int | None, connection: Connection, entity: str) -> SyncRun | None:
    """The row the dispatcher or "Sync now" queued for this run, if it is still waiting for it."""
    if run_id is None:
        return None
    return SyncRun.objects.filter(pk=run_id, connection=connection, entity=entity, status=SyncRun.Status.QUEUED).first()


def sync_entity_run(
    *,
    connection: Connection,
    entity: str,
    full: bool = False,
    now: Callable[[], datetime] = timezone.now,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    session: requests.Session | None = None,
    write_batch_size: int = WRITE_BATCH_SIZE,
    fetch_concurrency: int | None = None,
    run_id: int | None = None,
) -> SyncRun:
    """Run the sync of one entity of one connection now, in this process; returns its SyncRun.

    `full` requests a reconcile first (kept if the run is skipped: the next run does it). `now` is the
    clock windows and fetch times are read from; `sleep` and `clock` are how waits pass (tests fake both).
    `run_id` is the queued SyncRun this run carries on (enqueued by the dispatcher or "Sync now").
    """
    entity = entity_spec(entity).entity
    connection.refresh_from_db()  # the folders and StreamId as saved now, not as when the task was queued
    state = sync_state_for(connection=connection, entity=entity)
    queued = _queued_run(run_id=run_id, connection=connection, entity=entity)
    if full:
        full_run_request(state=state, connection=connection, at=now())
    if not connection.is_active:
        return _skipped(
            connection=connection,
            entity=entity,
            mode=planned_mode(connection=connection, state=state),
            reason="The connection is paused.",
            at=now(),
            queued=queued,
        )
    mode = planned_mode(connection=connection, state=state)
    if mode in INCREMENTAL_MODES and served_recently(state=state, now=now()):
        return _served(connection=connection, state=state, mode=mode, at=now(), queued=queued)
    lock = SyncLock(connection_id=connection.pk, entity=entity)
    if not lock.acquire():
        return _skipped(
            connection=connection,
            entity=entity,
            mode=planned_mode(connection=connection, state=state),
            reason="Another sync of this connection and entity is running.",
            at=now(),
            queued=queued,
        )
    try:
        state.refresh_from_db()
        walked = state.last_full_run_at is not None or state.backfill_checkpoint is not None
        if walked and state.scope_folders != scope_folders(connection=connection, entity=entity):
            logger.info("Sync %s %s: folders changed; walking the new scope", connection.customer_id, entity)
            state.backfill_checkpoint = None  # a half walk of the old folders is no walk of the new ones
            full_run_request(state=state, connection=connection, at=now())
        if state.last_full_run_at is None:
            full_run_request(state=state, connection=connection, at=now())
        # Holding the lock, no other run of this entity is alive: one still "running" died with its worker.
        SyncRun.objects.filter(connection=connection, entity=entity, status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.ABANDONED,
            finished_at=now(),
            error="The worker stopped mid-run (killed or restarted); the next run resumed from its checkpoint.",
        )
        run = queued or SyncRun(connection=connection, entity=entity)
        run.status, run.started_at, run.heartbeat_at = SyncRun.Status.RUNNING, now(), timezone.now()
        run.mode = planned_mode(connection=connection, state=state)
        run.save()
        try:
            client = icims_client_for(
                connection=connection, purpose=Purpose.SYNC, session=session, sleep=sleep, clock=clock
            )
        except Exception as error:  # e.g. credentials that cannot be read: nothing was called, nothing written
            logger.exception("Sync %s %s could not start", connection.customer_id, entity)
            run.status, run.finished_at, run.error = SyncRun.Status.FAILED, now(), f"{type(error).__name__}: {error}"
            run.save(update_fields=["status", "finished_at", "error"])
            return run
        ctx = RunContext(
            connection=connection,
            entity=entity,
            state=state,
            run=run,
            lock=lock,
            client=client,
            now=now,
            write_batch_size=write_batch_size,
            fetch_concurrency=fetch_concurrency or settings.SYNC_FETCH_CONCURRENCY,
        )
        try:
            _run_mode(ctx)
        except GroupBusy as busy:
            _finish(ctx, status=SyncRun.Status.SKIPPED, error=busy)
        except RunDeferred as deferral:  # iCIMS asked us to wait, not broken: the run goes on when it may
            logger.warning("Sync %s %s %s deferred: %s", connection.customer_id, entity, run.mode, deferral)
            _finish(ctx, status=SyncRun.Status.DEFERRED, error=deferral, next_run_at=deferral.until)
        except RunPaused as pause:
            logger.info("Sync %s %s %s stopped: %s", connection.customer_id, entity, run.mode, pause)
            _finish(ctx, status=SyncRun.Status.PAUSED, error=pause)
        except SoftTimeLimitExceeded:  # its time slice is up: what it committed stays, the next run goes on
            logger.warning("Sync %s %s %s reached its time limit", connection.customer_id, entity, run.mode)
            _finish(
                ctx,
                status=SyncRun.Status.DEFERRED,
                error=RunDeferred("The run reached its time limit; the next one resumes from here.", until=now()),
                next_run_at=timezone.now(),
            )
        except Exception as error:  # recorded on the run and in the state; the next tick tries again
            logger.exception("Sync %s %s %s failed", connection.customer_id, entity, run.mode)
            _finish(ctx, status=SyncRun.Status.FAILED, error=error)
        else:
            _finish(ctx, status=SyncRun.Status.SUCCEEDED)
        finally:
            ctx.close()
        return run
    finally:
        lock.release()


class GroupBusy(Exception):
    """Another entity's run is reading for this one right now (shared_reads.py)."""


def _run_mode(ctx: RunContext) -> None:
    run = ctx.run
    if run.mode in (SyncRun.Mode.BACKFILL, SyncRun.Mode.RECONCILE):
        backfill_run(ctx)
        _note_initial_sync(ctx)
        return
    group_lock = SyncLock(connection_id=ctx.connection.pk, entity=group_lock_name(mode=run.mode, entity=ctx.entity))
    if not group_lock.acquire():
        raise GroupBusy("Another entity's run is reading for this one now (one read serves them all).")
    ctx.group_lock = group_lock  # renewed with the run's own lock while the read goes on
    try:
        ctx.followers = group_states(connection=ctx.connection, mode=run.mode, entity=ctx.entity)[1:]
        if run.mode == SyncRun.Mode.INCREMENTAL_STREAM:
            try:
                stream_incremental_run(ctx)
                return
            except StreamUnavailable as error:
                # Recorded on the run; what the stream committed before failing stays committed.
                logger.warning(
                    "Sync %s %s: data stream failed (%s); falling back to search",
                    ctx.connection.customer_id,
                    ctx.entity,
                    error,
                )
                run.error = f"Data stream unavailable, fell back to search: {error}"
                run.mode, run.fell_back_to_search = SyncRun.Mode.INCREMENTAL_SEARCH, True
                run.save(update_fields=["error", "mode", "fell_back_to_search"])
                # The search serves only the entities that share this entity's search; the others search
                # in their own runs this tick.
                ctx.followers = [
                    state for state in ctx.followers if search_path(state.entity) == search_path(ctx.entity)
                ]
        search_incremental_run(ctx)
    finally:
        ctx.group_lock = None
        group_lock.release()


def _note_initial_sync(ctx: RunContext) -> None:
    """Tick "initial sync done" once every entity has finished a clean full walk."""
    connection = ctx.connection
    if connection.initial_sync_done_at is not None:
        return
    done = SyncState.objects.filter(connection=connection, last_full_run_at__isnull=False).values_list(
        "entity", flat=True
    )
    if set(done) >= set(Entity.values):
        connection.initial_sync_done_at = timezone.now()
        Connection.objects.filter(pk=connection.pk).update(initial_sync_done_at=connection.initial_sync_done_at)
        logger.info("Connection %s: initial sync done", connection.customer_id)


def _finish(
    ctx: RunContext, *, status: str, error: BaseException | None = None, next_run_at: datetime | None = None
) -> None:
    run, state = ctx.run, ctx.state
    ctx.calls.flush()
    run.calls_spent = ctx.calls.total
    run.status = status
    run.finished_at = ctx.now()
    if error is not None:
        # Typed iCIMS errors carry no secret; other exceptions are named, not dumped.
        run.error = str(error) if isinstance(error, IcimsError) else f"{type(error).__name__}: {error}"
    # A run that had to stop early says when it may go on; otherwise the next one is due after a cadence.
    state.next_run_at = next_run_at or _next_run_at(ended=run.finished_at, error=error)
    if status == SyncRun.Status.FAILED:
        state.last_error, state.last_error_at = run.error, timezone.now()
        state.save(update_fields=["last_error", "last_error_at", "next_run_at", "updated_at"])
    elif status == SyncRun.Status.SUCCEEDED:
        state.last_success_at, state.last_error = run.finished_at, ""
        state.save(update_fields=["last_success_at", "last_error", "next_run_at", "updated_at"])
        ctx.followers_save(last_success_at=run.finished_at, last_error="")
    else:
        state.save(update_fields=["next_run_at", "updated_at"])
    run.save()
    data_age_record(run=run)
    logger.info(
        "Sync %s %s %s %s: seen %d, created %d, updated %d, unchanged %d, left scope %d, deleted %d, %d calls",
        ctx.connection.customer_id,
        ctx.entity,
        run.mode,
        status,
        run.seen_count,
        run.created_count,
        run.updated_count,
        run.unchanged_count,
        run.left_scope_count,
        run.deleted_count,
        run.calls_spent,
    )


def _next_run_at(*, ended: datetime, error: BaseException | None) -> datetime:
    """One cadence after this run ended; later when iCIMS said when calls may go on again."""
    wait = settings.SYNC_INTERVAL_SECONDS
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return ended + timedelta(seconds=wait)


def sync_cursor_reset(*, connection: Connection, entity: str) -> SyncState:
    """Forget where incremental sync stands: the next run walks every record again (a reconcile), and the
    data stream is read from the oldest event iCIMS keeps."""
    state = sync_state_for(connection=connection, entity=entity)
    state.stream_key = ""
    state.backfill_checkpoint = None
    state.save(update_fields=["stream_key", "backfill_checkpoint", "updated_at"])
    full_run_request(state=state, connection=connection, at=timezone.now())
    logger.info("Sync %s %s: cursor reset; the next run walks every record", connection.customer_id, entity)
    return state
