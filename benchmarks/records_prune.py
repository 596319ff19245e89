"""What retention costs on a long history: a first pass over many old rows, then an hourly pass with little to do.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        python benchmarks/records_prune.py [--connections 200] [--days 40] [--events-per-day 20]

It migrates the database it is pointed at, deletes the connections it made before (CustomerId
`bench-prune-*`) and makes them again, each with `--days` days of history: `--events-per-day` processed
webhook events a day and one finished sync run per entity every 5 minutes (288 a day). Then it runs
retention (30 days) twice: the first pass deletes everything older, in batches, and prints its rate and
its slowest batch; the second, with nothing left to delete, is what the hourly beat entry costs from then on.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# A published key: fine for a benchmark's throw-away connections, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from integrations.models import Connection, WebhookEvent  # noqa: E402
from integrations.services.records_prune import records_prune  # noqa: E402
from sync.models import Entity, SyncRun  # noqa: E402

PREFIX = "bench-prune-"
RETENTION_DAYS = 30


def seed(*, connections: int, days: int, events_per_day: int) -> tuple[int, int]:
    Connection.objects.filter(customer_id__startswith=PREFIX).delete()
    now = timezone.now()
    made = Connection.objects.bulk_create(
        Connection(name=f"Bench prune {n}", customer_id=f"{PREFIX}{n}") for n in range(connections)
    )
    events = runs = 0
    for number, connection in enumerate(made):
        batch_events, batch_runs = [], []
        for day in range(days):
            for index in range(events_per_day):
                at = now - timedelta(days=day, minutes=index * 7)
                batch_events.append(
                    WebhookEvent(
                        connection=connection,
                        event_type="WorkFlowStatusChangeEvent",
                        customer_id=connection.customer_id,
                        payload={"eventType": "WorkFlowStatusChangeEvent", "systemId": str(index)},
                        dedupe_key=f"{day}-{index}",
                        state=WebhookEvent.State.PROCESSED,
                        received_at=at,
                        state_changed_at=at,
                    )
                )
            for slot in range(288):
                at = now - timedelta(days=day, minutes=slot * 5)
                batch_runs.extend(
                    SyncRun(
                        connection=connection,
                        entity=entity,
                        mode=SyncRun.Mode.INCREMENTAL_SEARCH,
                        status=SyncRun.Status.SUCCEEDED,
                        started_at=at,
                        finished_at=at + timedelta(seconds=20),
                    )
                    for entity in Entity.values
                )
        WebhookEvent.objects.bulk_create(batch_events, batch_size=5000)
        SyncRun.objects.bulk_create(batch_runs, batch_size=5000)
        events, runs = events + len(batch_events), runs + len(batch_runs)
        if (number + 1) % max(1, connections // 10) == 0:
            print(f"  seeded {number + 1}/{connections} connections", flush=True)
    return events, runs


def timed_prune() -> tuple[dict[str, int], float, float]:
    slowest, last = 0.0, time.perf_counter()

    def progress(kind: str, deleted: int) -> None:
        nonlocal slowest, last
        now = time.perf_counter()
        slowest, last = max(slowest, now - last), now

    started = time.perf_counter()
    deleted = records_prune(days=RETENTION_DAYS, progress=progress)
    return deleted, time.perf_counter() - started, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--events-per-day", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"seeding {args.connections} connections x {args.days} days ...", flush=True)
    events, runs = seed(connections=args.connections, days=args.days, events_per_day=args.events_per_day)
    print(f"seeded {events} webhook events and {runs} sync runs")

    deleted, seconds, slowest = timed_prune()
    rows = sum(deleted.values())
    print(
        f"first pass: {deleted}: {rows} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s); "
        f"slowest batch {slowest * 1000:.0f} ms"
    )
    left = {
        "webhook events": WebhookEvent.objects.filter(connection__customer_id__startswith=PREFIX).count(),
        "sync runs": SyncRun.objects.filter(connection__customer_id__startswith=PREFIX).count(),
    }
    print(f"kept: {left}")
    deleted, seconds, _ = timed_prune()
    print(f"second pass (nothing older left): {sum(deleted.values())} rows in {seconds * 1000:.0f} ms")
    Connection.objects.filter(customer_id__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
