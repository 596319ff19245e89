"""Throughput, memory and call economy of a full sync (backfill) against the in-process sandbox, and the
write path alone three ways.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench [REDIS_URL=redis://127.0.0.1:6379/0] \\
        python benchmarks/sync_throughput.py [--candidates 100000 --jobs 10000 --users 2000] [--transport adapter]

PostgreSQL only. Each backfill runs in a subprocess of its own, so its peak RSS (getrusage) is its own:
first a 10,000-record tenant, then the full one; the full run must peak at most 1.5 times the small one
(memory must not grow with the tenant) and under 300 MB. The sandbox tenant lives in the same process
(its seeded records are part of the peak). Each subprocess then runs two incremental syncs per entity
and reports the calls of the idle one (per entity, and for the connection's tick: target <= 2 in search
mode). Then the incremental call economy of benchmarks/sync_calls.py: steady-state profile GETs per
changed record in search mode (target <= 1.1), calls per idle tick in search (<= 2) and data stream (<= 1)
mode. Finally the write path alone is timed (records_upsert, row by row update_or_create, COPY), reusing
benchmarks/sync_write_path.py.

`--transport adapter` (default) calls the sandbox through a requests transport adapter; `responses`
uses the responses mock the tests use. Measured on 10,000 records: responses 528 records/s and 220 MB
peak (it keeps every call it served), the adapter 615 records/s and 100 MB, so the adapter it is.

Figures of one run (112,000-record tenant, PostgreSQL 16, Redis shared state, one GET in flight):
644 records/s (the per-call cost is the client's shared budget, breaker and token checks, ~7 Redis
round trips a call, and the sandbox rendering each profile); peak RSS 131 MB vs 100 MB for 10,000
records (1.31x); 7.4 SQL statements per 1,000 records; 1.0010 iCIMS calls per record; idle incremental
runs 1 search call per entity; write path 44.6x row by row, COPY 1.1x faster than records_upsert.
A later run at 11,200 records (--candidates 10000 --jobs 1000 --users 200, load average 7 to 11 on 2
cores): 131 records/s, 1.0062 calls per record, an idle tick 2 calls in search mode (jobs 1, candidates
1, users served by the candidates' search); 0.988 GETs per changed record, an idle stream tick 1 call.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# A published key: fine for a benchmark's throw-away connection, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")
os.environ.setdefault("ICIMS_ALLOWED_HOSTS", "sandbox.icims.test")  # the in-process sandbox tenant

import django

django.setup()

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402

SANDBOX_URL = "https://sandbox.icims.test"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CANDIDATE_FOLDERS = ["Cand:Active", "Cand:Unreviewed", "Cand:Inactive"]
USER_FOLDERS = ["HM:Active", "HM:Inactive", "Emp:Current Employee"]


class SandboxAdapter(requests.adapters.BaseAdapter):
    """requests → tenant.handle, without HTTP: the cheapest in-process way to reach the sandbox."""

    def __init__(self, tenant) -> None:
        super().__init__()
        self.tenant = tenant
        self.calls = 0

    def send(self, request, **kwargs):
        self.calls += 1
        body = request.body or b""
        status, headers, content = self.tenant.handle(
            request.method, request.url, None, dict(request.headers), body.encode() if isinstance(body, str) else body
        )
        response = requests.Response()
        response.status_code, response._content, response.url, response.request = status, content, request.url, request
        response.headers = requests.structures.CaseInsensitiveDict(headers)
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def backfill_child(args) -> None:
    """One backfill of a fresh sandbox tenant; prints a JSON line of figures."""
    from integrations.models import Connection
    from integrations.sandbox import SandboxTenant
    from integrations.sandbox.clock import SandboxClock
    from sync.engine import sync_entity_run
    from sync.models import Entity, SyncRun

    logging.getLogger("integrations.icims.transport").setLevel(logging.WARNING)
    logging.getLogger("sync").setLevel(logging.INFO if args.verbose else logging.WARNING)
    tenant = SandboxTenant.seeded(
        candidates=args.candidates,
        users=args.users,
        jobs=args.jobs,
        workflows=0,
        seed=3,
        clock=SandboxClock(START),
        base_url=SANDBOX_URL,
        daily_allowance=100_000_000,
    )
    customer_id = f"bench-{args.candidates}"
    Connection.objects.filter(customer_id=tenant.customer_id).delete()
    connection = Connection.objects.create(
        name=f"Benchmark {customer_id}",
        customer_id=tenant.customer_id,
        stream_id="",
        api_url_override=SANDBOX_URL,
        token_url_override=f"{SANDBOX_URL}/oauth/token",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        candidate_folders=CANDIDATE_FOLDERS,
        user_folders=USER_FOLDERS,
        hourly_call_budget=10_000_000,
    )

    session = requests.Session()
    # No proxy lookup in the environment on every call: it cost more than the sandbox's answer itself.
    session.trust_env = False
    if args.transport == "adapter":
        adapter = SandboxAdapter(tenant)
        session.mount(SANDBOX_URL, adapter)
        calls = lambda: adapter.calls  # noqa: E731
        mock = None
    else:
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.start()
        tenant.install(mock, base_url=SANDBOX_URL)
        calls = lambda: len(mock.calls)  # noqa: E731

    statements = StatementCounter()
    started = time.perf_counter()
    records = 0
    with db.execute_wrapper(statements):
        for entity in Entity.values:
            run = sync_entity_run(
                connection=connection,
                entity=entity,
                session=session,
                now=tenant.clock.now,
                fetch_concurrency=args.fetch_concurrency,
            )
            assert run.status == SyncRun.Status.SUCCEEDED, run.error
            records += run.created_count
    elapsed = time.perf_counter() - started
    backfill_calls = calls()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    idle_searches = {}
    for minutes in (20, 5):  # the first incremental may still see records updated just before the backfill
        tenant.clock.advance(timedelta(minutes=minutes))
        for entity in Entity.values:
            before = calls()
            run = sync_entity_run(connection=connection, entity=entity, session=session, now=tenant.clock.now)
            assert run.status == SyncRun.Status.SUCCEEDED, run.error
            idle_searches[entity] = calls() - before
    if mock is not None:
        mock.stop()
    print(
        json.dumps(
            {
                "records": records,
                "seconds": elapsed,
                "records_per_second": records / elapsed,
                "peak_rss_mb": peak_kb / 1024,
                "statements_per_1000": statements.count * 1000 / records,
                "calls": backfill_calls,
                "calls_per_record": backfill_calls / records,
                "idle_calls": idle_searches,
            }
        )
    )


def run_child(*, candidates: int, jobs: int, users: int, transport: str, fetch_concurrency: int) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--candidates",
        str(candidates),
        "--jobs",
        str(jobs),
        "--users",
        str(users),
        "--transport",
        transport,
        "--fetch-concurrency",
        str(fetch_concurrency),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False)
    if output.returncode:
        sys.exit(f"The backfill subprocess failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def write_path(records: int) -> dict:
    import sync_write_path as bench

    from integrations.models import Connection
    from sync.models import Entity
    from sync.services import records_upsert

    connection, _ = Connection.objects.get_or_create(customer_id="bench-sync", defaults={"name": "benchmark"})
    profiles = bench.candidate_profiles(records)
    engine = bench.timed(
        "records_upsert, new records",
        records,
        lambda: records_upsert(
            connection=connection, entity=Entity.CANDIDATES, profiles=profiles, fetched_at=bench.FETCHED_AT
        ),
        before=lambda: bench.empty(connection),
    )
    orm = bench.timed(
        "row by row update_or_create, new records",
        records,
        lambda: bench.row_by_row(connection, profiles, bench.FETCHED_AT),
        before=lambda: bench.empty(connection),
        repeat=1,
    )
    copy = bench.timed(
        "COPY, mapping included, new records",
        records,
        lambda: bench.copy_write(bench.copy_rows(connection, profiles, bench.FETCHED_AT)),
        before=lambda: bench.empty(connection),
    )
    bench.empty(connection)
    return {"engine_vs_row_by_row": engine / orm, "copy_vs_engine": copy / engine}


def steady_state_and_idle_ticks() -> None:
    """The call economy of incremental sync, measured by benchmarks/sync_calls.py (its default sizes)."""
    from benchmarks import sync_calls

    logging.getLogger("integrations").setLevel(logging.WARNING)
    logging.getLogger("sync").setLevel(logging.WARNING)
    args = argparse.Namespace(candidates=2000, ticks=24, changes_per_tick=10)
    print("Incremental sync (benchmarks/sync_calls.py, 2,000 candidates):")
    sync_calls.print_steady_state(sync_calls.steady_state(args), args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--small-records", type=int, default=10_000, help="size of the reference run")
    parser.add_argument("--write-path-records", type=int, default=5_000)
    parser.add_argument("--transport", choices=["adapter", "responses"], default="adapter")
    # The in-process sandbox competes for the GIL with the fetching threads: one at a time measures our own
    # cost best. Against a real iCIMS (network latency) the default of SYNC_FETCH_CONCURRENCY is what helps.
    parser.add_argument("--fetch-concurrency", type=int, default=1, help="profile GETs in flight per run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verbose", action="store_true", help="progress lines from the sync (child runs)")
    args = parser.parse_args()
    if db.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database: this benchmark measures the production database.")
    if args.child:
        backfill_child(args)
        return
    call_command("migrate", verbosity=0)
    total = args.candidates + args.jobs + args.users
    scale = args.small_records / total
    print(
        f"Backfill through the sync engine, sandbox in-process ({args.transport}, "
        f"{args.fetch_concurrency} GET(s) in flight), PostgreSQL, "
        f"shared state on {'Redis' if os.environ.get('REDIS_URL') else 'the file cache'}"
    )
    figures = {}
    for label, candidates, jobs, users in (
        ("small", round(args.candidates * scale), round(args.jobs * scale), round(args.users * scale)),
        ("full", args.candidates, args.jobs, args.users),
    ):
        result = run_child(
            candidates=candidates,
            jobs=jobs,
            users=users,
            transport=args.transport,
            fetch_concurrency=args.fetch_concurrency,
        )
        figures[label] = result
        print(
            f"  {label}: {candidates:,} candidates + {jobs:,} jobs + {users:,} users seeded; "
            f"{result['records']:,} records mirrored in {result['seconds']:.1f}s = "
            f"{result['records_per_second']:,.0f} records/s; peak RSS {result['peak_rss_mb']:.0f} MB; "
            f"{result['statements_per_1000']:.1f} SQL statements per 1,000 records; "
            f"{result['calls_per_record']:.4f} iCIMS calls per record ({result['calls']:,}); "
            f"idle incremental run calls {result['idle_calls']}"
        )
    ratio = figures["full"]["peak_rss_mb"] / figures["small"]["peak_rss_mb"]
    print(
        f"  peak RSS full / small: {ratio:.2f} (target <= 1.5); full under 300 MB: "
        f"{figures['full']['peak_rss_mb'] < 300}"
    )
    idle_tick = sum(figures["full"]["idle_calls"].values())
    print(
        f"  calls per record <= 1.01: {figures['full']['calls_per_record'] <= 1.01}; "
        f"calls per idle tick of the connection in search mode: {idle_tick} (target <= 2)"
    )
    steady_state_and_idle_ticks()
    print(f"Write path alone ({args.write_path_records:,} candidate records):")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    ratios = write_path(args.write_path_records)
    print(f"  records_upsert vs row by row: {ratios['engine_vs_row_by_row']:.1f}x faster (target >= 20x)")
    print(f"  COPY vs records_upsert: {ratios['copy_vs_engine']:.1f}x (target <= 4x)")


if __name__ == "__main__":
    main()
