"""Incremental sync by the iCIMS data stream: read events from the stored key, write what changed.

An event is `{"eventId", "entityType": person|job|applicantworkflow, "entityId", "eventType":
CREATE|UPDATE|DELETE, "timestamp"}`; a page is `{"events": [...], "lastEvaluatedKey": str|null}` and
the next page is asked for with `exclusiveStartKey` = that key ("after this event"). The last page
has no key, so the last event's id is kept instead, and the next run starts after it.

The integration guide has the customer choose the fields to sync and iCIMS build a channel for them, so
an event may carry the record's fields (`"fields": {...}`, the same names and shapes as a profile GET).
Such an event costs no GET: its fields are written straight to the mirror. An event without them, or
with fields that lack what decides the record's scope (`folder`) or its age (`updateddate`), costs one
GET of the record. The event shape is not published by iCIMS: both are handled (README, "Assumptions").

One read of the stream serves every entity (shared_reads.py): job events go to the jobs mirror, person
events to both people mirrors (each keeps a person only if in its folders; one that left them is marked
left scope). A DELETE of a job arrives as a job in the "Deleted" folder (or a 404), and the job is
marked deleted. The key is stored after each committed page, never before.
"""

from __future__ import annotations

import logging

from integrations.icims.errors import IcimsError

from .models import Entity
from .run_context import CONNECTION_WIDE_WAITS, RunContext

logger = logging.getLogger(__name__)

EVENT_TYPES = {Entity.JOBS: "job", Entity.CANDIDATES: "person", Entity.USERS: "person"}
# What an event's fields must hold to stand in for a GET: what decides scope and which version is newer.
CARRIED_FIELDS_NEEDED = ("folder", "updateddate")
MAX_PAGES_PER_RUN = 10_000


class StreamUnavailable(Exception):
    """The data stream itself failed (not a profile GET): the run falls back to search."""


def carried_fields(event: dict) -> dict | None:
    """The record's fields the event carries, when they can replace a GET; None when a GET is needed."""
    fields = event.get("fields")
    if not isinstance(fields, dict) or str(event.get("eventType", "")).upper() == "DELETE":
        return None
    if any(name not in fields for name in CARRIED_FIELDS_NEEDED):
        return None
    return fields


def event_records(events: list[dict], *, entity: str) -> tuple[list[int], dict[int, dict]]:
    """This entity's records the events touch: (ids to GET, each once in the order first seen; {id: fields}
    carried by the events, the last event of a record winning). A record whose last event carries no
    fields is fetched, not taken from an earlier event."""
    wanted = EVENT_TYPES[entity]
    latest: dict[int, dict | None] = {}
    for event in events:
        if not isinstance(event, dict) or str(event.get("entityType", "")).lower() != wanted:
            continue
        raw_id = str(event.get("entityId", "")).strip()
        if raw_id.isdecimal():
            record_id = int(raw_id)
            latest.pop(record_id, None)  # re-insert: the order is the last event's
            latest[record_id] = carried_fields(event)
    to_get = [record_id for record_id, fields in latest.items() if fields is None]
    carried = {record_id: fields for record_id, fields in latest.items() if fields is not None}
    return to_get, carried


def stream_incremental_run(ctx: RunContext) -> None:
    state, run = ctx.state, ctx.run
    key = state.stream_key or None
    run.cursor_in = key or ""
    run.save(update_fields=["cursor_in"])
    run_started = ctx.now()
    # Jobs and people are written apart (each kind of record has its own GET and mirror).
    served = ctx.served_entities
    people = tuple(entity for entity in served if entity != Entity.JOBS)
    kinds = [entities for entities in ((Entity.JOBS,) if Entity.JOBS in served else (), people) if entities]
    for _ in range(MAX_PAGES_PER_RUN):
        # A stream that fails (beyond the transport's own retries) makes the run fall back to search at once;
        # only pauses of the whole connection are waited out.
        try:
            events, next_key = ctx.call(
                ctx.client.stream_events_page, ctx.connection.stream_id, start_key=key, waits_for=CONNECTION_WIDE_WAITS
            )
        except IcimsError as error:
            raise StreamUnavailable(str(error)) from error
        for entities in kinds:
            to_get, carried = event_records(events, entity=entities[0])
            if carried:
                ctx.write(list(carried.items()), entities=entities, fetched_at=ctx.now())
                run.progress_done += len(carried)
            ctx.fetch_and_write(to_get, entities=entities)
        resume_key = next_key or (str(events[-1].get("eventId", "")) if events else None) or key
        if resume_key and resume_key != key:
            state.stream_key = resume_key
            ctx.save_state("stream_key")
            ctx.followers_save(stream_key=resume_key)
            run.cursor_out = resume_key
            ctx.save_progress()
        key = resume_key
        if not next_key or not events:
            break
    # If the stream fails later, search takes over from here.
    state.search_watermark = run_started
    ctx.save_state("search_watermark")
    ctx.followers_save(search_watermark=run_started, served_at=run_started)
    ctx.save_progress()
