"""Backfill and reconcile: walk every record in scope, page by page, from a checkpoint.

The first sync of a connection backfills; a reconcile (weekly, or on demand) walks again to catch what
incremental runs cannot see (records that left the scope without an update, folder changes in the
portal). A walk is "pending" while SyncState.backfill_checkpoint is set: the checkpoint is the last id
committed, so a walk cut short by a crash or a restart resumes right after it on the next run. Only a
walk that reached the end marks what it did not see (records_mark_missing).
"""

from __future__ import annotations

import logging
from datetime import datetime

from integrations.icims.client import SEARCH_PAGE_SIZE
from integrations.models import Connection

from .models import ScopeState, SyncState
from .run_context import RunContext
from .scope import scope_filters, scope_folders, search_path
from .services import records_mark_missing

logger = logging.getLogger(__name__)


def full_run_request(*, state: SyncState, connection: Connection, at: datetime) -> bool:
    """Make the next run of this connection and entity a full walk. False when one is already pending:
    it keeps its checkpoint and start time (restarting it would redo the work done)."""
    if state.backfill_checkpoint is not None:
        return False
    state.backfill_checkpoint = 0
    state.backfill_started_at = at
    state.scope_folders = scope_folders(connection=connection, entity=state.entity)
    state.save(update_fields=["backfill_checkpoint", "backfill_started_at", "scope_folders", "updated_at"])
    return True


def backfill_run(ctx: RunContext) -> None:
    state, run = ctx.state, ctx.run
    path, filters = search_path(ctx.entity), scope_filters(connection=ctx.connection, entity=ctx.entity)
    after = state.backfill_checkpoint or None
    run.cursor_in = str(state.backfill_checkpoint or 0)
    run.save(update_fields=["cursor_in"])
    logger.info(
        "Sync %s %s: %s from %s (walk started %s)",
        ctx.connection.customer_id,
        ctx.entity,
        run.mode,
        f"after id {after}" if after else "the start",
        state.backfill_started_at,
    )

    def checkpoint(last_id: int) -> None:
        state.backfill_checkpoint = last_id
        ctx.save_state("backfill_checkpoint")
        run.cursor_out = str(last_id)

    while True:
        ids = ctx.call(ctx.client.search_page, path, filters, after_id=after, staleness=0)
        ctx.fetch_and_write(ids, after_batch=checkpoint)
        if len(ids) < SEARCH_PAGE_SIZE:
            break
        after = ids[-1]

    marked = records_mark_missing(
        connection=ctx.connection, entity=ctx.entity, full_run_started_at=state.backfill_started_at, at=ctx.now()
    )
    if ctx.spec.missing_state == ScopeState.DELETED:
        run.deleted_count += marked
    else:
        run.left_scope_count += marked
    finished_at = ctx.now()
    # Changes made while the walk ran are caught by the incremental window, which starts where the walk did.
    if state.search_watermark is None or state.search_watermark < state.backfill_started_at:
        state.search_watermark = state.backfill_started_at
    state.backfill_checkpoint = None
    state.last_full_run_at = finished_at
    ctx.save_state("backfill_checkpoint", "last_full_run_at", "search_watermark")
    ctx.save_progress()
