"""Backfill and reconcile: walk every record in scope, newest first, from a checkpoint.

The first sync of a connection backfills; a reconcile (weekly, or on demand) walks again to catch what
incremental runs cannot see (records that left the scope without an update, folder changes in the
portal). A walk is "pending" while SyncState.backfill_checkpoint is set.

Newest first: iCIMS search answers ids in ascending order only, so the walk goes back in time by
`updateddate` windows, each twice as long as the one before (the hour before the walk began, then the
two hours before that, ...; the one ending 7.5 years back is open into the past), paging each window by
id. The records recruiters are about to schedule, updated lately, are mirrored in the first windows. The checkpoint is
(the end of the window being walked, the last id committed in it), so a walk cut short resumes right
after it. A record updated while the walk runs leaves its window for one after the walk began: a last
window, "updated since the walk began" (less the indexing delay), walks those. Before the first window
the walk counts what is in scope (id-only search pages, one call per 1,000 records) so its progress and
forecast can be shown. Only a walk that reached the end marks what it did not see (records_mark_missing).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from integrations.icims.client import SEARCH_PAGE_SIZE
from integrations.models import Connection

from .engine_search import ICIMS_SEARCH_DATE_FORMAT, window_start
from .models import Entity, ScopeState, SyncState
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
    state.backfill_window_end, state.backfill_done, state.backfill_total = None, 0, None
    state.scope_folders = scope_folders(connection=connection, entity=state.entity)
    state.save(update_fields=[*WALK_FIELDS, "backfill_started_at", "scope_folders", "updated_at"])
    return True


FIRST_WINDOW = timedelta(hours=1)
# A window this long or longer is left open into the past. Tenants keep years of candidates, and within a
# window the walk goes by id (oldest first): windows that keep doubling up to 3.7 years back (the last
# bounded one ends 7.5 years back) cost a few searches more than opening after a year, and mirror the
# newest half of a 6-year tenant after about 60% of the walk instead of at its very end.
OPEN_WINDOW_AFTER = timedelta(days=5 * 366)
WALK_FIELDS = ["backfill_checkpoint", "backfill_window_end", "backfill_done", "backfill_total"]


def walk_began(state: SyncState) -> datetime:
    return state.backfill_started_at.replace(second=0, microsecond=0)


def window_filters(*, entity: str, end: datetime, began: datetime) -> list[dict]:
    """The `updateddate` filters of the window that ends at `end` (see the module docstring)."""
    name = f"{'job' if entity == Entity.JOBS else 'person'}.updateddate"
    if end > began:  # the last window: what was updated while the walk ran
        since = window_start(began)
        return [{"name": name, "value": [since.strftime(ICIMS_SEARCH_DATE_FORMAT)], "operator": ">="}]
    filters = [{"name": name, "value": [end.strftime(ICIMS_SEARCH_DATE_FORMAT)], "operator": "<"}]
    length = began - end + FIRST_WINDOW
    if length < OPEN_WINDOW_AFTER:
        start = end - length
        filters.append({"name": name, "value": [start.strftime(ICIMS_SEARCH_DATE_FORMAT)], "operator": ">="})
    return filters


def next_window_end(*, end: datetime, began: datetime) -> datetime | None:
    """Where the window after the one ending at `end` ends; None when that one was the last."""
    if end > began:
        return None
    length = began - end + FIRST_WINDOW
    if length >= OPEN_WINDOW_AFTER:  # the window open into the past is done: the last one comes next
        return began + timedelta(minutes=1)
    return end - length


def records_in_scope_count(ctx: RunContext, *, path: str, filters: list[dict]) -> int:
    """How many records the walk will see: id-only search pages, one call per 1,000."""
    total, after = 0, None
    while True:
        ids = ctx.call(ctx.client.search_page, path, filters, after_id=after, staleness=0)
        total += len(ids)
        if len(ids) < SEARCH_PAGE_SIZE:
            return total
        after = ids[-1]


def backfill_run(ctx: RunContext) -> None:
    state, run = ctx.state, ctx.run
    path, scope = search_path(ctx.entity), scope_filters(connection=ctx.connection, entity=ctx.entity)
    began = walk_began(state)
    if state.backfill_window_end is None:  # a walk that has not begun: count, then start at the newest window
        state.backfill_total = records_in_scope_count(ctx, path=path, filters=scope)
        state.backfill_window_end, state.backfill_checkpoint, state.backfill_done = began, 0, 0
        ctx.save_state(*WALK_FIELDS)
    run.cursor_in = f"{state.backfill_window_end:%Y-%m-%d %H:%M}/{state.backfill_checkpoint or 0}"
    run.progress_total = state.backfill_total
    run.save(update_fields=["cursor_in", "progress_total"])
    logger.info(
        "Sync %s %s: %s from the window ending %s, after id %s (walk started %s)",
        ctx.connection.customer_id,
        ctx.entity,
        run.mode,
        state.backfill_window_end,
        state.backfill_checkpoint or 0,
        state.backfill_started_at,
    )

    done_before_run = state.backfill_done

    def checkpoint(last_id: int) -> None:
        state.backfill_checkpoint = last_id
        state.backfill_done = done_before_run + run.progress_done
        ctx.save_state("backfill_checkpoint", "backfill_done")
        run.cursor_out = f"{state.backfill_window_end:%Y-%m-%d %H:%M}/{last_id}"

    window_end: datetime | None = state.backfill_window_end
    while window_end is not None:
        filters = scope + window_filters(entity=ctx.entity, end=window_end, began=began)
        after = state.backfill_checkpoint or None
        while True:
            ids = ctx.call(ctx.client.search_page, path, filters, after_id=after, staleness=0)
            ctx.fetch_and_write(ids, after_batch=checkpoint)
            if len(ids) < SEARCH_PAGE_SIZE:
                break
            after = ids[-1]
        window_end = next_window_end(end=window_end, began=began)
        if window_end is not None:
            state.backfill_window_end, state.backfill_checkpoint = window_end, 0
            ctx.save_state("backfill_window_end", "backfill_checkpoint")
            run.cursor_out = f"{window_end:%Y-%m-%d %H:%M}/0"

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
    state.backfill_checkpoint, state.backfill_window_end = None, None
    state.last_full_run_at = finished_at
    ctx.save_state("backfill_checkpoint", "backfill_window_end", "last_full_run_at", "search_watermark")
    ctx.save_progress()
