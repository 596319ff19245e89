"""Incremental sync by search: what changed since the last committed window.

iCIMS's search index lags changes by about six minutes (the indexing delay), and `updateddate` has
minute resolution. So each window starts before the end of the last one by the delay plus a margin,
floored to the minute: a change made just before a run, still invisible to that run's search, falls in
the next run's window. Re-reading a record inside the overlap costs a GET and writes nothing
(records_upsert finds it unchanged). `staleness=0` asks for live results, not a cached search.

People are searched by `updateddate` alone, without the folder filter: moving a candidate to a folder
out of scope updates it, and a folder filter would hide exactly that move. The scope is decided after
the GET (records_upsert), which keeps a mirrored record and marks it left scope.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from integrations.icims.client import SEARCH_PAGE_SIZE
from integrations.icims.errors import IcimsError

from .models import Entity
from .run_context import RunContext
from .scope import search_path

logger = logging.getLogger(__name__)

INDEXING_DELAY = timedelta(minutes=6)
WINDOW_MARGIN = timedelta(minutes=4)  # clock skew between iCIMS and us, and a run that started late
ICIMS_SEARCH_DATE_FORMAT = "%Y-%m-%d %I:%M %p"


class NoSearchWatermark(IcimsError):
    """There is no committed window to continue from: a full walk must come first."""


def window_start(watermark: datetime) -> datetime:
    return (watermark - INDEXING_DELAY - WINDOW_MARGIN).replace(second=0, microsecond=0)


def updated_since_filters(*, entity: str, since: datetime) -> list[dict]:
    singular = "job" if entity == Entity.JOBS else "person"
    return [{"name": f"{singular}.updateddate", "value": [since.strftime(ICIMS_SEARCH_DATE_FORMAT)], "operator": ">="}]


def search_incremental_run(ctx: RunContext) -> None:
    state, run = ctx.state, ctx.run
    if state.search_watermark is None:
        raise NoSearchWatermark("No search window was ever committed for this entity; run a full sync first.")
    window_end = ctx.now()
    start = window_start(state.search_watermark)
    run.window_start, run.window_end = start, window_end
    run.save(update_fields=["window_start", "window_end"])

    path, filters = search_path(ctx.entity), updated_since_filters(entity=ctx.entity, since=start)
    after = None
    while True:
        ids = ctx.call(ctx.client.search_page, path, filters, after_id=after, staleness=0)
        ctx.fetch_and_write(ids)
        if len(ids) < SEARCH_PAGE_SIZE:
            break
        after = ids[-1]
    # Only now is every change of the window committed: the next window may start from here.
    state.search_watermark = window_end
    ctx.save_state("search_watermark")
    ctx.save_progress()
