"""Incremental sync by the iCIMS data stream: read events from the stored key, fetch what changed.

An event is `{"eventId", "entityType": person|job|applicantworkflow, "entityId", "eventType":
CREATE|UPDATE|DELETE, "timestamp"}`; a page is `{"events": [...], "lastEvaluatedKey": str|null}` and
the next page is asked for with `exclusiveStartKey` = that key ("after this event"). The last page
has no key, so the last event's id is kept instead, and the next run starts after it.

Each run reads the events of its own entity type: job events for jobs, person events for candidates
and users alike. Which mirror a person belongs to is known only after the GET, from its folder, so
records_upsert routes it (a person in neither the entity's folders nor its mirror is not written; one
that left the folders is marked left scope). A DELETE of a job arrives as a job in the "Deleted" folder
(or a 404), and the job is marked deleted. The key is stored after each committed page, never before.
"""

from __future__ import annotations

import logging

from integrations.icims.errors import IcimsError

from .models import Entity
from .run_context import CONNECTION_WIDE_WAITS, RunContext

logger = logging.getLogger(__name__)

EVENT_TYPES = {Entity.JOBS: "job", Entity.CANDIDATES: "person", Entity.USERS: "person"}
MAX_PAGES_PER_RUN = 10_000


class StreamUnavailable(Exception):
    """The data stream itself failed (not a profile GET): the run falls back to search."""


def event_record_ids(events: list[dict], *, entity: str) -> list[int]:
    """The ids of this entity's records the events touch, each once, in the order first seen."""
    wanted = EVENT_TYPES[entity]
    ids: dict[int, None] = {}
    for event in events:
        if not isinstance(event, dict) or str(event.get("entityType", "")).lower() != wanted:
            continue
        raw_id = str(event.get("entityId", "")).strip()
        if raw_id.isdecimal():
            ids[int(raw_id)] = None
    return list(ids)


def stream_incremental_run(ctx: RunContext) -> None:
    state, run = ctx.state, ctx.run
    key = state.stream_key or None
    run.cursor_in = key or ""
    run.save(update_fields=["cursor_in"])
    run_started = ctx.now()
    for _ in range(MAX_PAGES_PER_RUN):
        # A stream that fails (beyond the transport's own retries) makes the run fall back to search at once;
        # only pauses of the whole connection are waited out.
        try:
            events, next_key = ctx.call(
                ctx.client.stream_events_page, ctx.connection.stream_id, start_key=key, waits_for=CONNECTION_WIDE_WAITS
            )
        except IcimsError as error:
            raise StreamUnavailable(str(error)) from error
        ctx.fetch_and_write(event_record_ids(events, entity=ctx.entity))
        resume_key = next_key or (str(events[-1].get("eventId", "")) if events else None) or key
        if resume_key and resume_key != key:
            state.stream_key = resume_key
            ctx.save_state("stream_key")
            run.cursor_out = resume_key
            ctx.save_progress()
        key = resume_key
        if not next_key or not events:
            break
    # If the stream fails later, search takes over from here.
    state.search_watermark = run_started
    ctx.save_state("search_watermark")
    ctx.save_progress()
