"""One INSERT per event that also collapses duplicates and wakes the listener: the request's only write.

`INSERT … ON CONFLICT (connection_id, dedupe_key) DO NOTHING RETURNING id` returns the new row's id,
or nothing when an identical event of the same window is already stored (the unique constraint
decides, so concurrent copies collapse too). On PostgreSQL the same statement calls `pg_notify`, sent
when the row commits, so the listener (webhook_events_listen.py) learns of it without a poll and
without a broker round trip in the request. SQLite (3.35+) runs the same INSERT; its listener polls.
"""

from __future__ import annotations

import functools

from django.db import connection as db_connection
from django.db.models import AutoField

from integrations.models import WebhookEvent

NEW_EVENTS_CHANNEL = "webhook_events"


def webhook_event_insert(*, row: WebhookEvent, notify: bool) -> int | None:
    """Store the row; its id, or None when a duplicate is already stored (then nothing is written)."""
    fields = _insert_fields()
    sql = _insert_sql(vendor=db_connection.vendor, notify=notify)
    params = [field.get_db_prep_save(field.pre_save(row, True), connection=db_connection) for field in fields]
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    row.pk = found[0]
    row._state.adding = False
    return row.pk


@functools.cache
def _insert_fields() -> tuple:
    return tuple(field for field in WebhookEvent._meta.concrete_fields if not isinstance(field, AutoField))


@functools.cache
def _insert_sql(*, vendor: str, notify: bool) -> str:
    quote = db_connection.ops.quote_name
    meta = WebhookEvent._meta
    columns = ", ".join(quote(field.column) for field in _insert_fields())
    placeholders = ", ".join(["%s"] * len(_insert_fields()))
    insert = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608 (names from the model)
        f"ON CONFLICT ({quote('connection_id')}, {quote('dedupe_key')}) DO NOTHING RETURNING {quote('id')}"
    )
    if vendor != "postgresql" or not notify:
        return insert
    # A CTE, so the notification costs no extra round trip; it is only sent for a row actually stored.
    return f"WITH stored AS ({insert}) SELECT id, pg_notify('{NEW_EVENTS_CHANNEL}', '') FROM stored"  # noqa: S608
