"""Insert-or-update many mirror rows at once.

PostgreSQL: COPY the batch into a temporary staging table, then one
`INSERT ... SELECT ... ON CONFLICT (connection_id, icims_id) DO UPDATE`. Django's bulk_create binds one
Python list per column, and psycopg escapes those arrays in Python: that alone cost more than the rest
of the write path together, and sending the batch as one JSON document was still 3x slower than COPY
(figures in benchmarks/sync_write_path.py).
Other databases (SQLite, the embedded profile): Django's bulk_create with update_conflicts.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.db import connection as db
from django.db import models, transaction

from ..models import MirroredRecord


@cache
def _staging_sql(
    model: type[MirroredRecord], columns: tuple[str, ...], update_columns: tuple[str, ...]
) -> tuple[str, str, str, str]:
    """CREATE, COPY, INSERT and DROP statements for one model and column set. Only identifiers from the
    model's own meta, quoted, go into the text; the data travels through COPY."""
    quote = db.ops.quote_name
    fields = {field.attname: field for field in model._meta.concrete_fields}
    if any(fields[column].column != column for column in columns):
        raise TypeError(f"{model.__name__}: a mirror field with its own db_column needs a column map here")
    table, staging = quote(model._meta.db_table), quote(f"{model._meta.db_table}_staging")
    column_list = ", ".join(quote(column) for column in columns)
    updates = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in update_columns)
    return (
        # ON COMMIT DROP as a safety net; the explicit DROP lets one transaction write several batches.
        f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {column_list} FROM {table} WITH NO DATA",  # noqa: S608
        f"COPY {staging} ({column_list}) FROM STDIN",
        f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {staging} "  # noqa: S608
        f"ON CONFLICT ({quote('connection_id')}, {quote('icims_id')}) DO UPDATE SET {updates}",
        f"DROP TABLE {staging}",
    )


@cache
def _json_columns(model: type[MirroredRecord]) -> frozenset[str]:
    return frozenset(field.attname for field in model._meta.concrete_fields if isinstance(field, models.JSONField))


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def _jsonb_text(value: Any) -> str:
    """JSON text PostgreSQL's jsonb accepts: it refuses the NUL character, which iCIMS text may hold."""
    text = json.dumps(value)
    return json.dumps(_without_nul(value)) if "\\u0000" in text else text


def mirror_rows_upsert(*, model: type[MirroredRecord], rows: list[dict[str, Any]], update_fields: list[str]) -> None:
    """Write `rows` (dicts keyed by field attname, every row with the same keys, values as the model field
    holds them) into `model`'s table: new (connection, icims id) pairs are inserted, existing ones get
    `update_fields` overwritten. Atomic: all rows or none."""
    if not rows:
        return
    if db.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**row) for row in rows],
            update_conflicts=True,
            unique_fields=["connection", "icims_id"],
            update_fields=update_fields,
        )
        return
    columns = tuple(rows[0])  # the mirror models name no db_column: attnames are the column names
    create, copy_into, insert, drop = _staging_sql(model, columns, tuple(update_fields))
    json_positions = [position for position, column in enumerate(columns) if column in _json_columns(model)]
    with transaction.atomic(savepoint=False), db.cursor() as cursor:
        cursor.execute(create)
        with cursor.cursor.copy(copy_into) as copy:
            for row in rows:
                values = list(row.values())
                for position in json_positions:
                    values[position] = _jsonb_text(values[position])
                copy.write_row(values)
        cursor.execute(insert)
        cursor.execute(drop)
