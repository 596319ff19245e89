"""Hand new webhook events to the urgent queue: what the listener does each time it wakes.

A new event is one stored as "received" that no worker has been told about (`queued_at` empty).
One UPDATE marks a batch of them and returns their ids; on PostgreSQL `FOR UPDATE SKIP LOCKED`
lets two listeners share the work without waiting on each other or sending the same event twice
(SQLite has one writer at a time, so its UPDATE alone does it). The ids then go to the urgent
queue in batches, one message per connection and WEBHOOK_PROCESS_BATCH_SIZE events: a worker
processes a batch at the cost of one message and a few statements (webhook_event_process.py), and one
tenant's batch (its iCIMS slow, say) never holds another tenant's events. The worker's own claim still
makes sure one event is processed once, whoever sends it again (a retry, the sweeper, a replay).

If the send fails after the mark (the broker is down), the rows stay "received" and the sweeper
sends them after WEBHOOK_STUCK_RECEIVED_SECONDS, as it does any event whose message got lost.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import connection as db_connection
from django.utils import timezone

from integrations.models import WebhookEvent

from .task_queue import WEBHOOK_EVENTS_PROCESS, task_enqueue


def webhook_events_queue_new(*, limit: int) -> list[int]:
    """Mark up to `limit` new events as queued, oldest first, and send them in batches; their ids.

    A batch whose send fails is unmarked (with those after it) before the error goes up, so the next
    drain sends it again instead of leaving it to the sweeper."""
    if db_connection.vendor == "sqlite" and not _any_new():
        return []  # an UPDATE would take SQLite's write lock even with nothing to change
    with db_connection.cursor() as cursor:
        now, vendor = timezone.now(), db_connection.vendor
        params = (
            [WebhookEvent.State.RECEIVED, limit, now]
            if vendor == "postgresql"
            else [now, WebhookEvent.State.RECEIVED, limit]
        )
        cursor.execute(_claim_sql(vendor=vendor), params)
        claimed = sorted(cursor.fetchall())
    batches = _batches(claimed, size=settings.WEBHOOK_PROCESS_BATCH_SIZE)
    for position, batch in enumerate(batches):
        try:
            task_enqueue(name=WEBHOOK_EVENTS_PROCESS, args=(batch,))
        except Exception:
            unsent = [event_id for later in batches[position:] for event_id in later]
            WebhookEvent.objects.filter(pk__in=unsent).update(queued_at=None)
            raise
    return [event_id for event_id, _connection_id in claimed]


def _batches(claimed: list[tuple[int, int]], *, size: int) -> list[list[int]]:
    """(event id, connection id) pairs, oldest first, as lists of one connection's ids of at most `size`."""
    by_connection: dict[int, list[int]] = {}
    for event_id, connection_id in claimed:
        by_connection.setdefault(connection_id, []).append(event_id)
    return [ids[start : start + size] for ids in by_connection.values() for start in range(0, len(ids), max(1, size))]


def _any_new() -> bool:
    return WebhookEvent.objects.filter(state=WebhookEvent.State.RECEIVED, queued_at__isnull=True).exists()


@functools.cache
def _claim_sql(*, vendor: str) -> str:
    table = db_connection.ops.quote_name(WebhookEvent._meta.db_table)
    # The WHERE matches the partial index webhookevent_unqueued_idx.
    new_events = f"SELECT id FROM {table} WHERE state = %s AND queued_at IS NULL ORDER BY id LIMIT %s"  # noqa: S608
    if vendor == "postgresql":
        # The locked batch is a CTE so it is taken once; rows another listener holds are skipped, not waited for.
        return (
            f"WITH batch AS ({new_events} FOR UPDATE SKIP LOCKED) "  # noqa: S608
            f"UPDATE {table} SET queued_at = %s FROM batch WHERE {table}.id = batch.id "
            f"RETURNING {table}.id, {table}.connection_id"
        )
    # SQLite has one writer at a time: the statement is the whole claim.
    return f"UPDATE {table} SET queued_at = %s WHERE id IN ({new_events}) RETURNING id, connection_id"  # noqa: S608
