"""One INSERT per event that also collapses duplicates and wakes the listener: the request's only write.

`INSERT … ON CONFLICT (connection_id, dedupe_key) DO NOTHING RETURNING id` returns the new row's id,
or nothing when an identical event of the same window is already stored (the unique constraint
decides, so concurrent copies collapse too). On PostgreSQL the same statement calls `pg_notify`, sent
when the row commits, so the listener (webhook_events_listen.py) learns of it without a poll and
without a broker round trip in the request. SQLite (3.35+) runs the same INSERT; its listener polls.

Given the connection's credential columns as the request read them (a web process keeps them in memory
for a few seconds), the INSERT writes only while the connection's row still holds exactly those values:
a password change, a key rotation, a pause or a deletion made by any process applies to the next
request, checked by the write itself rather than by a second round trip (to the database or a cache).

Nor is the connection checked before the INSERT (CONN_HEALTH_CHECKS' `SELECT 1`, a round trip as long as
the INSERT's): if it died since its last use (a database restart, a failover), the INSERT fails at once
and runs again on a new connection. Running it twice is safe: it is idempotent (if the first did commit
before the connection dropped, the second finds it as a duplicate).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from django.db import InterfaceError, OperationalError
from django.db import connection as db_connection
from django.db.models import AutoField

from integrations.models import Connection, WebhookEvent

NEW_EVENTS_CHANNEL = "webhook_events"


def webhook_event_insert(
    *, row: WebhookEvent, notify: bool, credentials_as_stored: Mapping[str, object] | None = None
) -> int | None:
    """Store the row; its id, or None when nothing was written: a duplicate is already stored, or (given
    `credentials_as_stored`) the connection's row no longer holds those values."""
    fields = _insert_fields()
    guarded = tuple(sorted(credentials_as_stored)) if credentials_as_stored else ()
    sql = _insert_sql(vendor=db_connection.vendor, notify=notify, guarded=guarded)
    params = [field.get_db_prep_save(field.pre_save(row, True), connection=db_connection) for field in fields]
    params += [credentials_as_stored[column] for column in guarded]
    if db_connection.in_atomic_block:  # a transaction cannot be run again here: the caller's to handle
        found = _execute(sql, params)
    else:
        db_connection.health_check_done = True  # the INSERT is the check (module docstring)
        try:
            found = _execute(sql, params)
        except (OperationalError, InterfaceError):
            if db_connection.is_usable():
                raise  # the connection is fine: the error is the statement's
            db_connection.close()
            found = _execute(sql, params)
    if found is None:
        return None
    row.pk = found[0]
    row._state.adding = False
    return row.pk


def _execute(sql: str, params: list) -> tuple | None:
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@functools.cache
def _insert_fields() -> tuple:
    return tuple(field for field in WebhookEvent._meta.concrete_fields if not isinstance(field, AutoField))


def webhook_credentials_current(*, credentials_as_stored: Mapping[str, object]) -> bool:
    """Whether the connection's row still holds these values (the INSERT's condition, on its own)."""
    guarded = tuple(sorted(credentials_as_stored))
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 WHERE {_credentials_condition(guarded)}",
            [credentials_as_stored[column] for column in guarded],
        )
        return cursor.fetchone() is not None


def _credentials_condition(guarded: tuple[str, ...]) -> str:
    quote = db_connection.ops.quote_name
    matches = " AND ".join(f"{quote(column)} = %s" for column in guarded)
    return f"EXISTS (SELECT 1 FROM {quote(Connection._meta.db_table)} WHERE {matches})"  # noqa: S608


@functools.cache
def _insert_sql(*, vendor: str, notify: bool, guarded: tuple[str, ...] = ()) -> str:
    quote = db_connection.ops.quote_name
    meta = WebhookEvent._meta
    columns = ", ".join(quote(field.column) for field in _insert_fields())
    placeholders = ", ".join(["%s"] * len(_insert_fields()))
    # INSERT … SELECT … WHERE: the row is written only while the condition holds (a WHERE also keeps
    # SQLite from reading ON CONFLICT as a join's ON).
    source = f"SELECT {placeholders} WHERE {_credentials_condition(guarded)}" if guarded else f"VALUES ({placeholders})"
    insert = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) {source} "
        f"ON CONFLICT ({quote('connection_id')}, {quote('dedupe_key')}) DO NOTHING RETURNING {quote('id')}"
    )
    if vendor != "postgresql" or not notify:
        return insert
    # A CTE, so the notification costs no extra round trip; it is only sent for a row actually stored.
    return f"WITH stored AS ({insert}) SELECT id, pg_notify('{NEW_EVENTS_CHANNEL}', '') FROM stored"  # noqa: S608
