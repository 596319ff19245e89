"""Incremental sync by search: what changed since the last committed window.

iCIMS's search index lags changes by about six minutes (the indexing delay), and `updateddate` has
minute resolution. So each window starts before the end of the last one by the delay plus a margin,
floored to the minute: a change made just before a run, still invisible to that run's search, falls in
the next run's window. Re-reading a record inside the overlap costs a GET and writes nothing
(records_upsert finds it unchanged). `staleness=0` asks for live results, not a cached search.

A record found again in the overlap costs no second GET when it was fetched less than the indexing delay
before this run began: a change made after that fetch cannot be in the index yet, so the search found
the version already fetched. If iCIMS indexes faster than that, the change is still in the next window
(which starts before the fetch, see `already_fetched`), one tick later. So each change costs about one
GET, not two.

One people search serves candidates and users (shared_reads.py): the GET of a person is written to both
mirrors, each keeping it only if in its folders.

People are searched by `updateddate` alone, without the folder filter: moving a candidate to a folder
out of scope updates it, and a folder filter would hide exactly that move. The scope is decided after
the GET (records_upsert), which keeps a mirrored record and marks it left scope.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from integrations.icims.client import SEARCH_PAGE_SIZE
from integrations.icims.errors import IcimsError

from .entities import entity_spec
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


def already_fetched(*, entities: tuple[str, ...], connection_id: int, ids: list[int], run_start: datetime) -> set[int]:
    """Of `ids`, those a fetch confirmed less than the indexing delay before `run_start`: any change since
    cannot be searchable yet, so search found what the mirror holds. The next window starts at
    `run_start - INDEXING_DELAY - WINDOW_MARGIN`, before each such fetch, so a change after it is found then."""
    since = run_start - INDEXING_DELAY
    fetched: set[int] = set()
    for entity in entities:
        fetched.update(
            entity_spec(entity)
            .model.objects.filter(
                connection_id=connection_id, icims_id__in=ids, synced_at__gt=since, synced_at__lte=run_start
            )
            .values_list("icims_id", flat=True)
        )
    return fetched


def search_incremental_run(ctx: RunContext) -> None:
    """Search one window of the run's entity (and of the entities that share its search), GET what changed."""
    state, run = ctx.state, ctx.run
    watermarks = [s.search_watermark for s in (state, *ctx.followers) if s.search_watermark is not None]
    if state.search_watermark is None or not watermarks:
        raise NoSearchWatermark("No search window was ever committed for this entity; run a full sync first.")
    window_end = ctx.now()
    start = window_start(min(watermarks))  # the member furthest behind decides: none of them misses a change
    run.window_start, run.window_end = start, window_end
    run.save(update_fields=["window_start", "window_end"])

    entities = ctx.served_entities
    path, filters = search_path(ctx.entity), updated_since_filters(entity=ctx.entity, since=start)
    after = None
    while True:
        ids = ctx.call(ctx.client.search_page, path, filters, after_id=after, staleness=0)
        fetched = already_fetched(entities=entities, connection_id=ctx.connection.pk, ids=ids, run_start=window_end)
        run.unchanged_count += len(fetched)
        ctx.fetch_and_write([icims_id for icims_id in ids if icims_id not in fetched], entities=entities)
        if len(ids) < SEARCH_PAGE_SIZE:
            break
        after = ids[-1]
    # Only now is every change of the window committed: the next window may start from here.
    state.search_watermark = window_end
    ctx.save_state("search_watermark")
    ctx.followers_save(search_watermark=window_end, served_at=window_end)
    ctx.save_progress()
