"""How soon a backfill mirrors the candidates recruiters are about to schedule, at iCIMS's daily allowance.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench [REDIS_URL=redis://127.0.0.1:6379/0] \\
        python benchmarks/backfill_hours.py [--candidates 20000] [--daily-allowance 10000] \\
        [--hourly-budget 80000] [--seconds-per-call 0.1]

The real sync code (sync_entity_run, its client, budget and breaker on the shared state) runs against the
in-process sandbox through a requests transport adapter; nothing of it is patched. Only time is simulated,
so a backfill of several days takes minutes:

- the sandbox clock, which is also the sync's clock and its budget's clock, moves `--seconds-per-call` per
  call (0.1 s: about 4 GETs in flight at 0.4 s each, SYNC_FETCH_CONCURRENCY's default);
- the budget decides when calls stop: sync's share of the connection's hourly budget (80%) and of the daily
  allowance the sandbox reports in its rate-limit headers (sync leaves the last 10%; the sandbox's day
  resets at 00:00 UTC of its clock). A run the budget stops ends deferred, as in production, and the
  clock jumps to the dispatcher's first tick (every minute) after the moment the run said it may go on.

The tenant's update dates are realistic rather than the seed's uniform ones: ids grow with creation
(iCIMS numbers records as they are made), candidates were created evenly over `--years`, and most are
touched in the weeks after they apply (an exponential with a mean of 3 weeks) and then lie dormant; 5%
of older candidates were touched again lately (uniform over the last 60 days: re-applications, bulk moves).

Prints the budget, the calls made, the busiest clock hour, and the hour of the backfill at which the
newest 10%, 50% and 100% of candidates (by iCIMS `updateddate`) were all mirrored; and the same for the
walk before newest-first (id order, one search per 1,000 ids), computed from this run's own timeline of
calls (the k-th call happens at the same moment whatever record it fetches, since the budget counts
calls, not records), so it costs no second backfill.

Figures of one run (20,000 candidates, 6 years, PostgreSQL, Redis; 3 to 9 minutes at a load average of 10
to 25 on 2 cores), starting Monday 09:00 UTC:
- default hourly budget (80,000; the daily allowance decides): 20,254 calls in 3 runs, deferred twice
  until 00:00 UTC; newest 10% mirrored after 0.07 h (4 minutes), 50% after 15.1 h, 100% after 39.1 h;
  the id-order walk: 39.1 h for each.
- `--hourly-budget 1000` (sync 800 an hour): 20,312 calls in 27 runs; 10% after 3.0 h, 50% after 20.0 h,
  100% after 41.0 h; the id-order walk: 41.0 h for each.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# A published key: fine for a benchmark's throw-away connection, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")
os.environ.setdefault("ICIMS_ALLOWED_HOSTS", "sandbox.icims.test")  # the in-process sandbox tenant

import django

django.setup()

import logging  # noqa: E402

import requests  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.sync_throughput import CANDIDATE_FOLDERS, SANDBOX_URL, USER_FOLDERS, SandboxAdapter  # noqa: E402

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday morning: the connection is set up in office hours
DISPATCH_TICK_SECONDS = 60
SHARES = (0.1, 0.5, 1.0)
SEARCH_PAGE = 1000


class TimedAdapter(SandboxAdapter):
    """The sandbox adapter, moving the sandbox clock per call and noting when each call went out."""

    def __init__(self, tenant, *, seconds_per_call: float) -> None:
        super().__init__(tenant)
        self.seconds_per_call = seconds_per_call
        self.call_times: list[float] = []  # sandbox epoch seconds of each call, in order
        self.every_100_calls = None

    def send(self, request, **kwargs):
        self.call_times.append(self.tenant.clock.now().timestamp())
        self.tenant.clock.advance(seconds=self.seconds_per_call)
        response = super().send(request, **kwargs)
        if self.every_100_calls is not None and self.calls % 100 == 0:
            self.every_100_calls()
        return response


def realistic_update_dates(tenant, *, years: float, seed: int = 11) -> None:
    """Rewrite the seeded people's dates as a real tenant's look (see the module docstring). Before any call,
    so the search index holds these dates from the start."""
    rng = random.Random(seed)
    now = tenant.clock.epoch()
    span = years * 365 * 86_400
    people = sorted(tenant.people.values(), key=lambda person: person.id)
    for position, person in enumerate(people):
        created = int(now - span + span * (position + rng.random()) / len(people)) - 3600
        if rng.random() < 0.05 and now - created > 60 * 86_400:
            updated = now - rng.random() * 60 * 86_400
        else:
            updated = created + rng.expovariate(1 / (21 * 86_400))
        person.created, person.updated = created, int(min(updated, now - 600))
        person.index_log = None


def setup(args):
    from integrations.models import Connection
    from integrations.sandbox import SandboxTenant
    from integrations.sandbox.clock import SandboxClock

    tenant = SandboxTenant.seeded(
        # A customer id of its own: the budget and allowance a previous run left in the shared state stay its own.
        customer_id=str(random.SystemRandom().randrange(10**8, 10**9)),
        candidates=args.backfill_candidates,
        users=0,
        jobs=0,
        workflows=0,
        seed=5,
        clock=SandboxClock(START),
        base_url=SANDBOX_URL,
        daily_allowance=args.daily_allowance,
    )
    realistic_update_dates(tenant, years=args.years)
    Connection.objects.filter(name="Benchmark backfill hours").delete()
    connection = Connection.objects.create(
        name="Benchmark backfill hours",
        customer_id=tenant.customer_id,
        stream_id="",
        api_url_override=SANDBOX_URL,
        token_url_override=f"{SANDBOX_URL}/oauth/token",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        candidate_folders=CANDIDATE_FOLDERS,
        user_folders=USER_FOLDERS,
        hourly_call_budget=args.hourly_budget,
    )
    session = requests.Session()
    session.trust_env = False  # no proxy lookup in the environment on every call
    adapter = TimedAdapter(tenant, seconds_per_call=args.seconds_per_call)
    session.mount(SANDBOX_URL, adapter)
    return tenant, connection, session, adapter


class MirrorWatch:
    """When each candidate first appeared in the mirror (committed rows only: the mirror as the API serves it).
    New rows get growing primary keys, so each look reads only the rows added since the last."""

    def __init__(self, *, connection, clock) -> None:
        self.connection, self.clock = connection, clock
        self.last_pk = 0
        self.mirrored_at: dict[int, float] = {}

    def look(self) -> None:
        from sync.models import Candidate

        rows = list(
            Candidate.objects.filter(connection=self.connection, pk__gt=self.last_pk).values_list("pk", "icims_id")
        )
        at = self.clock()
        for pk, icims_id in rows:
            self.mirrored_at.setdefault(icims_id, at)
            self.last_pk = max(self.last_pk, pk)


def backfill_until_done(*, connection, session, tenant, adapter, batch: int) -> tuple[int, dict[int, float], Counter]:
    """Run the candidates' backfill as the dispatcher would: again after each deferral, at the first tick
    after the moment the run said it may go on. Returns (runs, when each candidate was mirrored, deferrals by
    cause)."""
    from sync.engine import sync_entity_run
    from sync.models import Entity, SyncRun, SyncState

    def clock() -> float:
        return tenant.clock.now().timestamp()

    watch = MirrorWatch(connection=connection, clock=clock)
    adapter.every_100_calls = watch.look
    runs, reasons = 0, Counter()
    while True:
        run = sync_entity_run(
            connection=connection,
            entity=Entity.CANDIDATES,
            session=session,
            now=tenant.clock.now,
            clock=clock,
            sleep=lambda seconds: tenant.clock.advance(seconds=seconds),
            write_batch_size=batch,
            fetch_concurrency=1,
        )
        runs += 1
        watch.look()
        if run.status == SyncRun.Status.SUCCEEDED:
            return runs, watch.mirrored_at, reasons
        if run.status != SyncRun.Status.DEFERRED:
            sys.exit(f"The backfill run ended {run.status}: {run.error}")
        reasons[deferral_cause(run.error)] += 1
        # The run's "may go on at" is on the wall clock (the dispatcher compares it with timezone.now()):
        # its distance from now is the wait the budget asked for, on the sandbox clock too.
        next_run_at = SyncState.objects.get(connection=connection, entity=Entity.CANDIDATES).next_run_at
        wait = max((next_run_at - timezone.now()).total_seconds(), 0.0)
        tenant.clock.advance(seconds=math.ceil(wait / DISPATCH_TICK_SECONDS) * DISPATCH_TICK_SECONDS or 60)


def deferral_cause(error: str) -> str:
    if "of today's" in error:
        return "daily allowance"
    if "calls an hour" in error:
        return "hourly budget"
    return error[:60]


def hours_until_mirrored(ids, mirrored_at: dict[int, float], started: float) -> float:
    return (max(mirrored_at[icims_id] for icims_id in ids) - started) / 3600


def id_order_hours(ids_by_updated: list[int], *, in_scope_by_id: list[int], call_times: list[float], batch: int):
    """When the walk in id order (the walk before newest-first) would have mirrored the same records: the record
    at position p is committed with its batch, after p // 1,000 + 1 search pages and its batch's GETs."""
    position = {icims_id: index for index, icims_id in enumerate(in_scope_by_id)}
    started = call_times[0]

    def committed_at(icims_id: int) -> float:
        p = position[icims_id]
        batch_end = min((p // batch + 1) * batch, len(in_scope_by_id))
        call = batch_end + (batch_end - 1) // SEARCH_PAGE + 1  # GETs plus the search pages before them
        return call_times[min(call, len(call_times)) - 1]

    return {
        share: (max(committed_at(i) for i in ids_by_updated[: math.ceil(len(ids_by_updated) * share)]) - started) / 3600
        for share in SHARES
    }


def backfill_hours(args) -> dict:
    from integrations.icims.budget import DAILY_RESERVE, HOURLY_SHARE, Purpose

    tenant, connection, session, adapter = setup(args)
    in_scope = [person for person in tenant.people.values() if person.folder.value in CANDIDATE_FOLDERS]
    newest_first = [person.id for person in sorted(in_scope, key=lambda person: (-person.updated, person.id))]
    started = tenant.clock.now().timestamp()
    runs, mirrored_at, reasons = backfill_until_done(
        connection=connection, session=session, tenant=tenant, adapter=adapter, batch=args.batch
    )
    ended = tenant.clock.now().timestamp()
    missing = [icims_id for icims_id in newest_first if icims_id not in mirrored_at]
    if missing:
        sys.exit(f"{len(missing)} candidates in scope were never mirrored, e.g. {missing[:5]}")
    per_hour = Counter(int(at // 3600) for at in adapter.call_times)
    return {
        "candidates": len(in_scope),
        "calls": adapter.calls,
        "runs": runs,
        "deferrals": dict(reasons),
        "hourly_budget": args.hourly_budget,
        "sync_hourly_share": math.floor(args.hourly_budget * HOURLY_SHARE[Purpose.SYNC]),
        "sync_daily_share": args.daily_allowance - math.ceil(args.daily_allowance * DAILY_RESERVE[Purpose.SYNC]),
        "busiest_hour": max(per_hour.values()),
        "hours": {
            share: hours_until_mirrored(newest_first[: math.ceil(len(newest_first) * share)], mirrored_at, started)
            for share in SHARES
        },
        "id_order_hours": id_order_hours(
            newest_first,
            in_scope_by_id=sorted(person.id for person in in_scope),
            call_times=adapter.call_times,
            batch=args.batch,
        ),
        "total_hours": (ended - started) / 3600,
    }


def add_arguments(parser: argparse.ArgumentParser, *, candidates_flag: str = "--candidates") -> None:
    from integrations.models.connections import DEFAULT_HOURLY_CALL_BUDGET
    from sync.run_context import WRITE_BATCH_SIZE

    parser.add_argument(candidates_flag, type=int, default=20_000, dest="backfill_candidates")
    parser.add_argument("--daily-allowance", type=int, default=10_000, help="iCIMS's default: 10,000 calls a day")
    parser.add_argument("--hourly-budget", type=int, default=DEFAULT_HOURLY_CALL_BUDGET, help="the connection's")
    parser.add_argument("--seconds-per-call", type=float, default=0.1)
    parser.add_argument("--years", type=float, default=6.0, help="how long the tenant has been collecting candidates")
    parser.add_argument("--batch", type=int, default=WRITE_BATCH_SIZE, help="records per committed batch")


def hours_text(hours: float) -> str:
    return f"{hours:.1f} h" if hours >= 1 else f"{hours:.2f} h ({hours * 60:.0f} min)"


def print_figures(figures: dict, args) -> None:
    hours = ", ".join(f"{share:.0%} after {hours_text(figures['hours'][share])}" for share in SHARES)
    id_order = ", ".join(f"{share:.0%} after {hours_text(figures['id_order_hours'][share])}" for share in SHARES)
    print(
        f"Backfill of {figures['candidates']:,} candidates (realistic update dates over {args.years:g} years), "
        f"starting {START:%a %H:%M} UTC, {args.seconds_per_call:g} s per call:"
    )
    print(
        f"  budget: hourly {figures['hourly_budget']:,} calls (sync may use {figures['sync_hourly_share']:,}), "
        f"daily allowance {args.daily_allowance:,} (sync may use {figures['sync_daily_share']:,}); "
        f"busiest clock hour {figures['busiest_hour']:,} calls"
    )
    print(
        f"  {figures['calls']:,} calls in {figures['runs']} runs (deferred: {figures['deferrals'] or 'never'}); "
        f"done after {figures['total_hours']:.1f} h"
    )
    print(f"  newest first (this code), the most recently updated mirrored: {hours}")
    print(f"  id order (the walk before), same calls and budget:            {id_order}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    logging.getLogger("integrations").setLevel(logging.WARNING)
    logging.getLogger("sync").setLevel(logging.ERROR)  # a deferred run per spent day is expected here
    call_command("migrate", verbosity=0)
    print_figures(backfill_hours(args), args)


if __name__ == "__main__":
    main()
