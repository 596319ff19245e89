"""One INSERT per event that also collapses duplicates: the request's only write.

`INSERT … ON CONFLICT (connection_id, dedupe_key) DO NOTHING RETURNING id` returns the new row's id,
or nothing when an identical event of the same window is already stored (the unique constraint
decides, so concurrent copies collapse too). The listener (webhook_events_listen.py) finds the new row
by itself: nothing in the request talks to a broker or wakes anyone. SQLite (3.35+) runs the same INSERT.

On PostgreSQL the statement runs on a cursor that binds its parameters server-side, so psycopg prepares
it once it has run a few times on a connection (settings: DATABASE_PREPARED_STATEMENTS): parsing and
planning it anew cost the server more than running it (measured: 385 against 175 us of CPU).

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

import psycopg
from django.db import InterfaceError, OperationalError
from django.db import connection as db_connection
from django.db.models import AutoField, JSONField

from integrations.models import Connection, WebhookEvent


def webhook_event_insert(
    *, values: Mapping[str, object], credentials_as_stored: Mapping[str, object] | None = None
) -> int | None:
    """Store a row of these column values (as the database takes them; JSON columns as JSON text); every
    other column gets its field's default. The new row's id, or None when nothing was written: a duplicate
    is already stored, or (given `credentials_as_stored`) the connection's row no longer holds those values."""
    columns = tuple(values)
    guarded = tuple(sorted(credentials_as_stored)) if credentials_as_stored else ()
    sql = _insert_sql(vendor=db_connection.vendor, columns=columns, guarded=guarded)
    params = [*values.values(), *(credentials_as_stored[column] for column in guarded)]
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
    return None if found is None else found[0]


def _execute(sql: str, params: list) -> tuple | None:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _cursor():
    """On PostgreSQL a cursor that binds parameters server-side, so that psycopg prepares the statement
    once it has run a few times on the connection (settings: prepare_threshold); wrapped like Django's
    own, so query logging and execute wrappers see it. Django's cursors bind client-side: never prepared."""
    if db_connection.vendor != "postgresql":
        return db_connection.cursor()
    db_connection.ensure_connection()
    return db_connection._prepare_cursor(psycopg.Cursor(db_connection.connection))


@functools.cache
def _defaults(*, given: tuple[str, ...]) -> dict[str, str]:
    """The columns not given, with their fields' defaults as SQL literals (constants: NULL, '' or a number),
    worked out once and written into the statement rather than sent as parameters with every event."""
    defaults = {}
    for field in WebhookEvent._meta.concrete_fields:
        if isinstance(field, AutoField) or field.column in given:
            continue
        # A default computed per row (a time, a new dict) cannot be written once: such columns are given.
        assert not (field.has_default() and callable(field.default)), f"{field.column} has a per-row default"
        defaults[field.column] = _literal(field.get_default())
    return defaults


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if value == "":
        return "''"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"No literal for a default of {value!r}: give the column a value instead.")


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
def _insert_sql(*, vendor: str, columns: tuple[str, ...], guarded: tuple[str, ...] = ()) -> str:
    quote = db_connection.ops.quote_name
    meta = WebhookEvent._meta
    json_columns = {field.column for field in meta.concrete_fields if isinstance(field, JSONField)}
    defaults = _defaults(given=columns)
    all_columns = (*columns, *defaults)
    # JSON arrives as text: PostgreSQL is told to read it as jsonb; SQLite stores JSON as text anyway.
    cast = "::jsonb" if vendor == "postgresql" else ""
    placeholders = ", ".join(
        [*(f"%s{cast}" if column in json_columns else "%s" for column in columns), *defaults.values()]
    )
    # INSERT … SELECT … WHERE: the row is written only while the condition holds (a WHERE also keeps
    # SQLite from reading ON CONFLICT as a join's ON).
    source = f"SELECT {placeholders} WHERE {_credentials_condition(guarded)}" if guarded else f"VALUES ({placeholders})"
    return (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column) for column in all_columns)}) {source} "
        f"ON CONFLICT ({quote('connection_id')}, {quote('dedupe_key')}) DO NOTHING RETURNING {quote('id')}"
    )
