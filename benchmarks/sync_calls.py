"""What the sync spends of a tenant's iCIMS allowance: calls per changed record, per idle tick, and how soon a
backfill mirrors the records recruiters are about to use.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench python benchmarks/sync_calls.py \\
        [--candidates 2000] [--ticks 24] [--changes-per-tick 10] [--backfill-candidates 20000] \\
        [--daily-allowance 10000] [--hourly-budget 80000] [--seconds-per-call 0.1]

Everything runs against the in-process sandbox on its own clock, through the sync engine as the dispatcher
runs it (jobs, candidates, users each tick); calls are counted at the HTTP seam.

1. Search mode, steady state: each 5-minute tick, `--changes-per-tick` candidates change, spread over the
   tick; after the last tick, idle ticks until every change is mirrored. Prints profile GETs per changed
   record (target <= 1.1; it was 1.985 when each change fell in two overlapping windows) and checks the
   mirror holds every change.
2. Calls per idle tick of the connection: search mode (target <= 2), data stream mode (target <= 1).
3. Data stream mode with events that carry the record's fields: GETs per changed record (target 0).
4. Backfill (benchmarks/backfill_hours.py, which says how): the real walk on a simulated clock, paced by the
   hourly budget and iCIMS's daily allowance, over a tenant with realistic update dates; the hour at which
   the newest 10%, 50% and 100% of candidates were mirrored, beside the id-order walk it replaced.

Figures of one run (2,000 candidates, 24 ticks, 10 changes a tick, PostgreSQL, Redis; load average 10 on
2 cores, 3.4 minutes): 237 GETs for 240 changes = 0.988 GETs per changed record (a record changed twice
before its fetch costs one), every change mirrored; an idle tick 2 calls in search mode, 1 in data stream
mode; 50 changes carried by events, 0 GETs. Backfill of 20,000 candidates at 10,000 calls a day and the
default hourly budget: the newest 10% mirrored after 4 minutes, 50% after 15.1 h (the next day's
allowance), all after 39.1 h; the id-order walk had none of those sets complete before 39.1 h.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# A published key: fine for a benchmark's throw-away connection, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")

import django

django.setup()

import logging  # noqa: E402

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402

from benchmarks import backfill_hours as backfill  # noqa: E402
from benchmarks.sync_throughput import CANDIDATE_FOLDERS, SANDBOX_URL, USER_FOLDERS, SandboxAdapter  # noqa: E402

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TICK = timedelta(minutes=5)
DEFAULT_DAILY_ALLOWANCE = 10_000
PROFILE_GET = re.compile(r"/customers/[^/]+/(people|jobs)/\d+(\?|$)")


class CountingAdapter(SandboxAdapter):
    """The sandbox adapter, counting profile GETs apart."""

    def __init__(self, tenant) -> None:
        super().__init__(tenant)
        self.gets = 0

    def send(self, request, **kwargs):
        if request.method == "GET" and PROFILE_GET.search(request.url):
            self.gets += 1
        return super().send(request, **kwargs)


def setup(*, candidates: int, users: int, jobs: int, daily_allowance: int):
    from integrations.models import Connection
    from integrations.sandbox import SandboxTenant
    from integrations.sandbox.clock import SandboxClock

    tenant = SandboxTenant.seeded(
        # A customer id of its own: the budget and allowance a previous run left in the shared state stay its own.
        customer_id=str(random.SystemRandom().randrange(10**8, 10**9)),
        candidates=candidates,
        users=users,
        jobs=jobs,
        workflows=0,
        seed=5,
        clock=SandboxClock(START),
        base_url=SANDBOX_URL,
        daily_allowance=daily_allowance,
    )
    Connection.objects.filter(name="Benchmark calls").delete()
    connection = Connection.objects.create(
        name="Benchmark calls",
        customer_id=tenant.customer_id,
        stream_id="",
        api_url_override=SANDBOX_URL,
        token_url_override=f"{SANDBOX_URL}/oauth/token",
        stream_url_override=f"{SANDBOX_URL}/datastream/v2",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        candidate_folders=CANDIDATE_FOLDERS,
        user_folders=USER_FOLDERS,
        hourly_call_budget=10_000_000,
    )
    session = requests.Session()
    session.trust_env = False
    adapter = CountingAdapter(tenant)
    session.mount(SANDBOX_URL, adapter)
    return tenant, connection, session, adapter


def use_stream(connection, tenant) -> None:
    """Point the connection at the sandbox's data stream, resolved as the connection test would store it."""
    connection.stream_id = tenant.stream_id
    if hasattr(connection, "stream_resolved_for"):  # the connection test's discovery stores what it found
        connection.stream_resolved_for = tenant.stream_id
        connection.stream_resolved_stream = tenant.stream_id
        connection.stream_resolved_subscription = getattr(tenant, "subscription_id", tenant.stream_id)
    connection.save()


def tick(connection, session, tenant) -> list:
    from sync.engine import sync_entity_run
    from sync.models import Entity

    return [
        sync_entity_run(connection=connection, entity=entity, session=session, now=tenant.clock.now)
        for entity in Entity.values
    ]


def tick_calls(connection, session, tenant, adapter) -> int:
    before = adapter.calls
    tick(connection, session, tenant)
    return adapter.calls - before


def steady_state(args) -> dict:
    from sync.models import Candidate

    tenant, connection, session, adapter = setup(
        candidates=args.candidates, users=args.candidates // 10, jobs=args.candidates // 7, daily_allowance=10**9
    )
    tick(connection, session, tenant)  # the backfill
    tenant.clock.advance(minutes=20)
    tick(connection, session, tenant)
    rng = random.Random(7)
    in_scope = sorted(
        person_id for person_id, person in tenant.people.items() if person.folder.value in CANDIDATE_FOLDERS
    )
    gets_before, changes = adapter.gets, 0
    expected: dict[int, str] = {}
    step = TICK / args.changes_per_tick
    for number in range(args.ticks):
        for change in range(args.changes_per_tick):
            person_id = rng.choice(in_scope)
            expected[person_id] = f"Changed{number}x{change}"
            tenant.update_person(person_id, lastname=expected[person_id])
            changes += 1
            tenant.clock.advance(step)
        tick(connection, session, tenant)
    for _ in range(4):  # idle ticks until the last changes are searchable and fetched
        tenant.clock.advance(TICK)
        tick(connection, session, tenant)
    gets = adapter.gets - gets_before
    held = dict(Candidate.objects.filter(icims_id__in=expected).values_list("icims_id", "lastname"))
    tenant.clock.advance(TICK)
    idle_search = tick_calls(connection, session, tenant, adapter)
    use_stream(connection, tenant)
    tenant.clock.advance(TICK)
    tick(connection, session, tenant)  # reads the events the changes above left
    tenant.clock.advance(TICK)
    idle_stream = tick_calls(connection, session, tenant, adapter)

    tenant.stream_events_carry_fields = True
    stream_gets_before = adapter.gets
    for person_id in in_scope[: args.changes_per_tick * 5]:
        tenant.update_person(person_id, lastname="Carried")
    tenant.clock.advance(TICK)
    tick(connection, session, tenant)
    carried = Candidate.objects.filter(lastname="Carried").count()
    return {
        "changes": changes,
        "gets": gets,
        "gets_per_change": gets / changes,
        "all_mirrored": held == expected,
        "idle_search": idle_search,
        "idle_stream": idle_stream,
        "fat_changes": args.changes_per_tick * 5,
        "fat_gets": adapter.gets - stream_gets_before,
        "fat_mirrored": carried == args.changes_per_tick * 5,
    }


def print_steady_state(figures: dict, args) -> None:
    print(f"Search mode, {args.ticks} ticks of 5 minutes, {args.changes_per_tick} candidate changes a tick:")
    print(
        f"  {figures['gets']} profile GETs for {figures['changes']} changes = "
        f"{figures['gets_per_change']:.3f} GETs per changed record (target <= 1.1); "
        f"every change mirrored: {figures['all_mirrored']}"
    )
    print(
        f"  calls per idle tick of the connection: search mode {figures['idle_search']} (target <= 2), "
        f"data stream mode {figures['idle_stream']} (target <= 1)"
    )
    print(
        f"  data stream events carrying fields: {figures['fat_gets']} GETs for {figures['fat_changes']} changes; "
        f"all mirrored: {figures['fat_mirrored']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=2000)
    parser.add_argument("--ticks", type=int, default=24)
    parser.add_argument("--changes-per-tick", type=int, default=10)
    backfill.add_arguments(parser, candidates_flag="--backfill-candidates")
    args = parser.parse_args()
    logging.getLogger("integrations").setLevel(logging.WARNING)
    logging.getLogger("sync").setLevel(logging.ERROR)  # a deferred run per spent day is expected here
    call_command("migrate", verbosity=0)

    print_steady_state(steady_state(args), args)
    backfill.print_figures(backfill.backfill_hours(args), args)


if __name__ == "__main__":
    main()
