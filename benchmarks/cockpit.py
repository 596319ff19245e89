"""The operator's cockpit at scale: the connection list and a chart page with 1,000 connections and 10 million
iCIMS call ledger rows. Run by hand, on PostgreSQL, in a database of its own (the data stays for reruns):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench python -m benchmarks.cockpit [--rows 10000000]

1. With 10 connections: render the connection list and count its SQL queries.
2. Grow to 1,000 connections, and the ledger to `--rows` rows (generate_series in SQL; about 2,500 hours
   of four purposes per connection), with a week of hourly activity rollups and sync runs per connection.
3. Run the alerts tick once (it stores each connection's health for the list), then render the list and a
   connection's chart page (7 days) `--repeat` times each: median and worst time,
   and the list's queries again. Targets: under 300 ms each; the same number of queries at 10 and 1,000.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from integrations.models import ApiCallLedger, Connection  # noqa: E402

LIST_URL = "/admin/integrations/connection/"
TARGET_MS = 300
PURPOSES = ("live", "writeback", "webhook", "sync")


def connections_ensure(count: int) -> None:
    have = Connection.objects.count()
    if have >= count:
        return
    Connection.objects.bulk_create(
        Connection(name=f"Tenant {n:04d}", customer_id=str(10000 + n), stream_id=f"stream-{n}")
        for n in range(have, count)
    )
    print(f"  connections: {have} -> {count}", flush=True)


def ledger_ensure(rows: int) -> None:
    have = ApiCallLedger.objects.count()
    if have >= rows * 0.99:
        print(f"  ledger: {have:,} rows already", flush=True)
        return
    connections = Connection.objects.count()
    hours = rows // (connections * len(PURPOSES))
    started = time.perf_counter()
    with db.cursor() as cursor:
        cursor.execute("TRUNCATE integrations_apicallledger")
        # One row per connection, hour and purpose, ending with the current hour.
        cursor.execute(
            """
            INSERT INTO integrations_apicallledger (connection_id, hour, purpose, calls, failed_calls)
            SELECT c.id, date_trunc('hour', now()) - make_interval(hours => h), p, 100 + (h * 7 + c.id) %% 900,
                   (h + c.id) %% 5
            FROM integrations_connection c
            CROSS JOIN generate_series(0, %s - 1) AS h
            CROSS JOIN unnest(%s::text[]) AS p
            """,
            [hours, list(PURPOSES)],
        )
        cursor.execute("ANALYZE integrations_apicallledger")
    print(
        f"  ledger: {ApiCallLedger.objects.count():,} rows ({hours} hours x {len(PURPOSES)} purposes x "
        f"{connections} connections) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def activity_ensure() -> None:
    """A week of rollups and a day of sync runs per connection, so the pages have something to show."""
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM integrations_hourlyactivity")
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            INSERT INTO integrations_hourlyactivity (connection_id, hour, series, label, count, total_seconds,
                                                    max_seconds)
            SELECT c.id, date_trunc('hour', now()) - make_interval(hours => h), s.series, s.label,
                   1 + (h + c.id) % 40, 60.0 * (1 + h % 7), 30.0 * (1 + h % 11)
            FROM integrations_connection c
            CROSS JOIN generate_series(0, 167) AS h
            CROSS JOIN (VALUES ('data_age', 'jobs'), ('data_age', 'candidates'), ('data_age', 'users'),
                               ('webhook_events', 'processed'), ('webhook_to_request', 'started'),
                               ('writeback_outcomes', 'succeeded')) AS s(series, label)
            """
        )
        cursor.execute(
            """
            INSERT INTO sync_syncrun (connection_id, entity, mode, status, started_at, finished_at, heartbeat_at,
                window_start, window_end, cursor_in, cursor_out, seen_count, created_count, updated_count,
                unchanged_count, left_scope_count, deleted_count, calls_spent, progress_done, error)
            SELECT c.id, e, 'incremental-search',
                   CASE WHEN c.id % 10 = 0 THEN 'failed' ELSE 'succeeded' END,
                   now() - make_interval(mins => 5 * r), now() - make_interval(mins => 5 * r - 1), now(),
                   NULL, NULL, '', '', 10, 1, 2, 7, 0, 0, 12, 0,
                   CASE WHEN c.id % 10 = 0 THEN 'IcimsUnauthorized: refused' ELSE '' END
            FROM integrations_connection c
            CROSS JOIN unnest(ARRAY['jobs', 'candidates', 'users']) AS e
            CROSS JOIN generate_series(1, 24) AS r
            """
        )
        cursor.execute("ANALYZE")
    print("  rollups and sync runs generated", flush=True)


def health_refresh() -> None:
    """What the alerts tick does each minute: compute every connection's health and store it for the list."""
    from integrations.services.alerts_evaluate import alerts_evaluate

    started = time.perf_counter()
    alerts_evaluate()
    print(f"  alerts tick (health of every connection stored): {(time.perf_counter() - started) * 1000:.0f} ms")


def measure(client: Client, url: str, repeat: int) -> tuple[list[float], int]:
    client.get(url, secure=True)  # warm: templates compiled, connections open
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(db) as captured:
        client.get(url, secure=True)
    return timings, len(captured)


def report(name: str, timings: list[float], queries: int) -> bool:
    median, worst = statistics.median(timings), max(timings)
    ok = median < TARGET_MS
    print(
        f"  {name:<34} median {median:7.1f} ms   worst {worst:7.1f} ms   {queries:3d} queries   "
        f"{'OK' if ok else 'OVER ' + str(TARGET_MS) + ' ms'}",
        flush=True,
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="ledger rows (default 10,000,000)")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    options = parser.parse_args()
    if db.vendor != "postgresql":
        print("Needs PostgreSQL: set DATABASE_URL to a database of its own.", file=sys.stderr)
        return 2

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-root", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)

    print("== 10 connections")
    small_url = LIST_URL
    if Connection.objects.count() > 10:
        # A rerun on the kept data: a page of the 10 connections "Tenant 0000" to "Tenant 0009".
        print("  (the database holds more: measuring the list searched down to 10 connections)")
        small_url = f"{LIST_URL}?q=Tenant+000"
    connections_ensure(10)
    health_refresh()
    small_timings, small_queries = measure(client, small_url, options.repeat)
    report("connection list (10 connections)", small_timings, small_queries)

    print(f"== {options.connections:,} connections, {options.rows:,} ledger rows")
    connections_ensure(options.connections)
    ledger_ensure(options.rows)
    activity_ensure()
    health_refresh()
    chart_connection = Connection.objects.order_by("pk")[options.connections // 2]
    list_timings, list_queries = measure(client, LIST_URL, options.repeat)
    chart_timings, chart_queries = measure(
        client, f"/admin/integrations/connection/{chart_connection.pk}/charts/?window=7d", options.repeat
    )
    # The machine is shared: an admin page with no data of ours, measured in the same run, is the yardstick.
    base_timings, base_queries = measure(client, "/admin/password_change/", options.repeat)
    report("baseline: admin password page", base_timings, base_queries)
    ok = report(f"connection list ({options.connections:,})", list_timings, list_queries)
    ok &= report("chart page (7 days)", chart_timings, chart_queries)
    base = statistics.median(base_timings)
    print(
        f"  relative to the baseline: list x{statistics.median(list_timings) / base:.1f}, "
        f"chart page x{statistics.median(chart_timings) / base:.1f}"
    )
    same = list_queries == small_queries
    print(
        f"  list queries: {small_queries} at 10 connections, {list_queries} at {options.connections:,}: "
        f"{'constant' if same else 'GROWS'}"
    )
    return 0 if ok and same else 1


if __name__ == "__main__":
    sys.exit(main())
