"""How fast the mirror's write path is, against row-by-row ORM writes and a raw COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench python benchmarks/sync_write_path.py [--records 5000]

PostgreSQL only (the production database). It migrates the database it is pointed at and writes into a
connection of its own ("benchmark", CustomerId bench-sync), which it empties before each measurement.
All three ways start from the same synthetic candidate profiles, in the iCIMS shape, and map them with
the same `sync.mapping` code, so what differs is only how the rows reach the database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# A published key: fine for a benchmark's throw-away connection, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.db import transaction  # noqa: E402

from integrations.models import Connection  # noqa: E402
from sync.entities import entity_spec  # noqa: E402
from sync.models import Candidate, Entity, ScopeState  # noqa: E402
from sync.scope import scope_rule  # noqa: E402
from sync.services import records_upsert  # noqa: E402
from sync.services.records_upsert import content_hash  # noqa: E402

FETCHED_AT = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)


def candidate_profiles(count: int, *, version: int = 0) -> list[tuple[int, dict]]:
    """`count` people as `GET /people/{id}?fields=...` returns them; `version` changes every email and time."""
    return [
        (
            100_000 + n,
            {
                "firstname": f"First{n}",
                "middlename": "Q",
                "lastname": f"Last{n}",
                "email": f"person{n}.v{version}@example.com",
                "folder": {"id": "C32101", "value": "Cand:Active", "formattedvalue": "Cand:Active"},
                "phones": [
                    {
                        "entry": n,
                        "phonetype": {"id": "D83002", "value": "Mobile", "formattedvalue": "Mobile"},
                        "phonenumber": f"512-555-{n % 10_000:04}",
                        "phoneextension": "",
                    }
                ],
                "addresses": [
                    {
                        "entry": n,
                        "addresstype": {"id": "D84002", "value": "Home", "formattedvalue": "Home"},
                        "addressstreet1": f"{n} Congress Ave",
                        "addresscity": "Austin",
                        "addresszip": "78701",
                        "addressstate": {"id": "D41001044", "value": "Texas", "abbrev": "TX"},
                        "addresscountry": {"id": "D41001", "value": "United States", "abbrev": "US"},
                    }
                ],
                "updateddate": f"2024-05-01 01:{version % 60:02} PM",
                "links": [
                    {
                        "rel": "self",
                        "title": "The current profile being viewed.",
                        "url": f"https://api.icims.com/customers/2187/people/{100_000 + n}",
                    }
                ],
            },
        )
        for n in range(count)
    ]


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(
    label: str,
    records: int,
    work: Callable[[], object],
    *,
    before: Callable[[], object] = lambda: None,
    repeat: int = 3,
) -> float:
    """Best of `repeat` runs (the machine may be shared), `before` run untimed ahead of each."""
    best, statements = float("inf"), 0
    for _ in range(repeat):
        before()
        counter = StatementCounter()
        with db.execute_wrapper(counter):
            start = time.perf_counter()
            work()
            elapsed = time.perf_counter() - start
        best, statements = min(best, elapsed), counter.count
    rate = records / best
    print(
        f"  {label:<44} {best * 1000:8.0f} ms  {rate:10,.0f} records/s  "
        f"{statements * 1000 / records:6.1f} statements per 1,000"
    )
    return rate


def empty(connection: Connection) -> None:
    """No rows of the benchmark's connection, and no dead ones slowing the next measurement down."""
    with db.cursor() as cursor:
        cursor.execute("DELETE FROM sync_candidate WHERE connection_id = %s", [connection.pk])
        cursor.execute("VACUUM ANALYZE sync_candidate")


def row_by_row(connection: Connection, profiles: list[tuple[int, dict]], fetched_at: datetime) -> None:
    spec = entity_spec(Entity.CANDIDATES)
    scope_of = scope_rule(connection=connection, entity=Entity.CANDIDATES)
    for icims_id, profile in profiles:
        values = spec.values_from_profile(profile)
        Candidate.objects.update_or_create(
            connection=connection,
            icims_id=icims_id,
            defaults={
                **values,
                "raw": profile,
                "content_hash": content_hash(values),
                "synced_at": fetched_at,
                "seen_at": fetched_at,
                "scope_state": scope_of(values),
                "scope_changed_at": fetched_at,
            },
        )


def copy_rows(connection: Connection, profiles: list[tuple[int, dict]], fetched_at: datetime) -> list[tuple]:
    """The rows a COPY writes: mapped with the same code as the engine."""
    spec = entity_spec(Entity.CANDIDATES)
    scope_of = scope_rule(connection=connection, entity=Entity.CANDIDATES)
    rows = []
    for icims_id, profile in profiles:
        values = spec.values_from_profile(profile)
        rows.append(
            (
                connection.pk,
                icims_id,
                *(json.dumps(v) if name == "phones" else v for name, v in values.items()),
                json.dumps(profile),
                content_hash(values),
                fetched_at,
                fetched_at,
                scope_of(values),
                fetched_at,
                fetched_at,
            )
        )
    return rows


def copy_write(rows: list[tuple]) -> None:
    columns = [
        "connection_id",
        "icims_id",
        *entity_spec(Entity.CANDIDATES).value_fields,
        "raw",
        "content_hash",
        "synced_at",
        "seen_at",
        "scope_state",
        "scope_changed_at",
        "created_at",
    ]
    with (
        transaction.atomic(),
        db.cursor() as cursor,
        cursor.cursor.copy(f"COPY sync_candidate ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    args = parser.parse_args()
    if db.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database: this benchmark measures the production database.")
    call_command("migrate", verbosity=0)
    connection, _ = Connection.objects.get_or_create(customer_id="bench-sync", defaults={"name": "benchmark"})
    count = args.records
    first, second = candidate_profiles(count), candidate_profiles(count, version=1)
    later = FETCHED_AT + timedelta(minutes=5)
    print(
        f"{count:,} candidate profiles, PostgreSQL {db.cursor().connection.info.server_version}, "
        f"batches of 1,000; records_upsert's COPY into its staging table is one more statement per written batch"
    )

    def upsert(profiles, fetched_at):
        return lambda: records_upsert(
            connection=connection, entity=Entity.CANDIDATES, profiles=profiles, fetched_at=fetched_at
        )

    print("records_upsert (the engine's write path):")
    engine_new = timed("new records", count, upsert(first, FETCHED_AT), before=lambda: empty(connection))
    engine_changed = timed(
        "every record changed",
        count,
        upsert(second, later),
        before=lambda: (empty(connection), upsert(first, FETCHED_AT)()),
    )
    engine_same = timed("nothing changed", count, upsert(second, later + timedelta(minutes=5)))
    assert Candidate.objects.filter(connection=connection, scope_state=ScopeState.IN_SCOPE).count() == count

    print("row by row (update_or_create), one run each:")
    orm_new = timed(
        "new records",
        count,
        lambda: row_by_row(connection, first, FETCHED_AT),
        before=lambda: empty(connection),
        repeat=1,
    )
    orm_changed = timed("every record changed", count, lambda: row_by_row(connection, second, later), repeat=1)

    print("COPY (the floor; one COPY statement, which Django's statement counter does not see):")
    copy_mapped = timed(
        "new records, mapping included",
        count,
        lambda: copy_write(copy_rows(connection, first, FETCHED_AT)),
        before=lambda: empty(connection),
    )
    rows = copy_rows(connection, first, FETCHED_AT)
    copy_only = timed("new records, COPY alone", count, lambda: copy_write(rows), before=lambda: empty(connection))
    empty(connection)

    print("ratios:")
    print(f"  engine vs row by row, new records:         {engine_new / orm_new:5.1f}x faster (target >= 20x)")
    print(f"  engine vs row by row, every record changed: {engine_changed / orm_changed:5.1f}x faster")
    print(f"  COPY (mapping included) vs engine, new:     {copy_mapped / engine_new:5.1f}x (target <= 4x)")
    print(f"  COPY alone vs engine, new:                  {copy_only / engine_new:5.1f}x")
    print(f"  engine, nothing changed vs new records:     {engine_same / engine_new:5.1f}x faster")


if __name__ == "__main__":
    main()
