"""What the alerts tick costs at many connections: the health selector, and a whole tick, in time and queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        python benchmarks/alerts_tick.py [--connections 1000] [--runs-per-entity 50]

It migrates the database it is pointed at, deletes the connections it made before (CustomerId
`bench-health-*`) and makes them again: each with `--runs-per-entity` sync runs per entity (every
tenth connection failing its last three), unprocessed webhook events on a few, a dead write-back on
a few, and today's call ledger. Then it times the selector and two ticks (the first opens alerts,
the second finds them open), at a tenth of the connections and at all of them, so the figures say
how the cost grows; the number of SQL queries must not.
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
from django.db import connection as db  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from integrations.models import ApiCallLedger, Connection, WebhookEvent, Writeback  # noqa: E402
from integrations.selectors.connection_health import connections_health  # noqa: E402
from integrations.services.alerts_evaluate import alerts_evaluate  # noqa: E402
from sync.models import Entity, SyncRun  # noqa: E402

PREFIX = "bench-health-"


def seed(count: int, runs_per_entity: int) -> None:
    Connection.objects.filter(customer_id__startswith=PREFIX).delete()
    now = timezone.now()
    connections = Connection.objects.bulk_create(
        Connection(name=f"Bench health {n}", customer_id=f"{PREFIX}{n}", initial_sync_done_at=now - timedelta(days=2))
        for n in range(count)
    )
    runs, events, writebacks, ledger = [], [], [], []
    hour = now.replace(minute=0, second=0, microsecond=0)
    for index, connection in enumerate(connections):
        for entity in Entity.values:
            for run in range(runs_per_entity):
                started = now - timedelta(minutes=5 * (runs_per_entity - run))
                failing = index % 10 == 0 and run >= runs_per_entity - 3
                runs.append(
                    SyncRun(
                        connection=connection,
                        entity=entity,
                        mode=SyncRun.Mode.INCREMENTAL_SEARCH,
                        status=SyncRun.Status.FAILED if failing else SyncRun.Status.SUCCEEDED,
                        started_at=started,
                        finished_at=started + timedelta(seconds=3),
                        error="iCIMS answered HTTP 503" if failing else "",
                    )
                )
        if index % 25 == 0:
            events += [
                WebhookEvent(
                    connection=connection,
                    event_type="WorkFlowStatusChangeEvent",
                    customer_id=connection.customer_id,
                    payload={},
                    received_at=now - timedelta(minutes=5),
                    dedupe_key=f"bench-{n}",
                )
                for n in range(5)
            ]
        if index % 40 == 0:
            writebacks.append(
                Writeback(
                    connection=connection,
                    action=Writeback.Action.ADVANCE_STATUS,
                    idempotency_key=f"{PREFIX}{index}",
                    state=Writeback.State.DEAD,
                )
            )
        ledger += [
            ApiCallLedger(connection=connection, hour=hour - timedelta(hours=h), purpose="sync", calls=500)
            for h in range(min(hour.hour + 1, 24))
        ]
    SyncRun.objects.bulk_create(runs, batch_size=5000)
    WebhookEvent.objects.bulk_create(events, batch_size=5000)
    Writeback.objects.bulk_create(writebacks)
    ApiCallLedger.objects.bulk_create(ledger, batch_size=5000)


def measure(label: str, action) -> None:
    with CaptureQueriesContext(db) as captured:
        started = time.perf_counter()
        action()
        elapsed = time.perf_counter() - started
    print(f"  {label:<34} {elapsed * 1000:8.0f} ms  {len(captured):4d} SQL queries")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--runs-per-entity", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    for count in (max(1, args.connections // 10), args.connections):
        seed(count, args.runs_per_entity)
        runs = SyncRun.objects.filter(connection__customer_id__startswith=PREFIX).count()
        print(f"{count} connections, {runs} sync runs:")
        measure("health selector (all connections)", connections_health)
        measure("tick 1 (opens alerts)", alerts_evaluate)
        measure("tick 2 (alerts already open)", alerts_evaluate)
    Connection.objects.filter(customer_id__startswith=PREFIX).delete()


if __name__ == "__main__":
    main()
