"""A fleet of sandbox tenants against a real worker pool: does one tenant's trouble reach another? Run by hand:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        python benchmarks/fleet.py [--tenants 10 100 1000] [--minutes M] [--time-scale S] [--port 9310]

PostgreSQL and Redis only. The database and the Redis DB are the benchmark's own: every connection in the
database is deleted (TRUNCATE) before each fleet, and the Redis DB's queues are emptied. All three N take
about 12 minutes on a loaded 2-core machine (live 1.5, 1.5 and 6 minutes, plus set-up).

For each N it seeds N sandbox tenants served over loopback HTTP by one threaded server, every call
answered after 150 ms; 10% of them are unhealthy, in turn: unreachable (a socket that accepts and never
answers), 10-second answers, a 429 storm (every call, Retry-After 30) and a 5xx storm (every call 503).
The fleet starts in steady state (each tenant walked, its last run somewhere in the last cadence), then
runs for `--minutes` with a real worker pool (the Celery queues of the settings, one worker process per
queue, as the Procfile; the sync worker at `nice 10`, as the README advises where they share a machine),
started and answering a ping before the clock starts, while a process of its own plays beat (the
dispatcher tick, timed there: this one serves every tenant's HTTP) and this one plays iCIMS (a status
change webhook every few seconds, mostly to healthy tenants, a tenth to unhealthy ones).

Time is scaled, and the script prints the scale: the sync cadence, the dispatcher's interval and its jitter
are divided by `--time-scale` (default 5 for N <= 100: a 60-second cadence; 1 at N = 1,000, where a
5-minute cadence is already more than this shared 2-core machine has spare). Per-call latency, timeouts
and webhook waits are real, so a larger scale makes an unhealthy tenant's 30-second read timeouts weigh on
the cadence that much more. Data ages are printed in real seconds and, multiplied back by the
scale, in the minutes they stand for: a conservative figure, since every real second of queueing counts
`scale` times.

It prints, for the healthy tenants: webhook received -> scheduling request p50/p99 (and how many never got
one), sync data age p50/p99 (now minus the start of the last successful run, sampled every 5 s once every
state has come due once), the dispatcher's cost per tick (live, and alone: all idle, one minute's share due,
and with ten times as many idle tenants), and Redis round trips per iCIMS call (a backfill of one healthy
tenant, counted on the Redis connection). Targets (issue 9): received -> request p99 <= 5 s at every N; data
age p99 <= 12 minutes; tick <= 50 ms at N = 1,000 and not growing with idle tenants; <= 2 round trips a call.

Figures of one run (shared 2-core machine, load average 17-21; urgent 4 slots, sync 4 / 4 / 10 slots; scale
10, 5, 1; 1.25, 1.5 and 6 minutes live; before the statistics were refreshed after each seed):
    N       received -> request p50/p99   data age p50/p99   tick live   tick alone: idle / due, N; idle / due, 10N
    10      0.83 s / 1.41 s               3.6 / 12.6 min     13.5 ms     7.9 / 27.8 ms; 7.8 / 10.7 ms (6 due)
    100     0.98 s / 1.60 s               5.8 / 11.4 min     30.8 ms     4.8 / 10.2 ms; 8.2 / 17.3 ms (60 due)
    1,000   1.50 s / 3.05 s               7.7 / 10.2 min     87 ms       5.7 / 22.7 ms; 24.7 / 43.6 ms (600 due)
Redis round trips per iCIMS call over a whole backfill (its lock, heartbeats and token included): 2.17.
At N = 1,000 the 10 sync slots ran ~130 of the 600 runs due a minute: data ages were still climbing.
N = 10 on the defaults (scale 5, 1.5 minutes, load 6-9): 0.74 s / 1.13 s, data age 3.9 / 6.0 min, tick live
11.9 ms, alone 5.8 / 11.9 ms; 3.1 / 5.6 ms.
Before the urgent lane and the claims (same machine, load ~14): p99 17.8 / 18.8 / 19.9 s (events sent
while the workers still started counted too), ticks with 600 due 234 ms alone, 688 ms live.

Figures of one run (shared 2-core machine, load ~14; urgent 4 slots, sync 4 / 4 / 10 slots; scale 5, 5, 1;
4, 4 and 10 minutes live):
    N       received -> request p50/p99   data age p50/p99   tick live   tick alone: idle N / idle 10N / due
    10      0.75 s / 17.8 s               3.1 / 6.0 min      34 ms       23 / 21 ms / 92 ms (6 due)
    100     0.97 s / 18.8 s               5.0 / 11.0 min     128 ms      16 / 14 ms / 64 ms (60 due)
    1,000   2.66 s / 19.9 s               5.6 / 10.8 min     688 ms      16 / 29 ms / 234 ms (600 due)
Redis round trips per iCIMS call over a whole backfill (its lock, heartbeats and token included): 2.22.
Met: data age, idle ticks flat with idle tenants, round trips (2 per call in the gate itself). Not met:
received -> request p99 (events of unreachable or 10-second tenants hold urgent slots for a read timeout
until their breaker opens) and the tick with a minute's share due at N = 1,000 (~0.4 ms per queued run).
Before the queues by urgency (one queue, runs waiting in the worker), at N = 100 for 2 minutes, 100 of 105
events got no scheduling request at all.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
# A published key: fine for a benchmark's throw-away connections, never for a real deployment.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=")
# The sandbox tenants are served on loopback: an exact host the iCIMS allow-list must name (plain HTTP).
os.environ.setdefault("ICIMS_ALLOWED_HOSTS", ".icims.com,127.0.0.1")

import django  # noqa: E402

django.setup()
logging.disable(logging.INFO)  # the figures, not every run's log line

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection as db  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from integrations.models import Connection, SchedulingRequest, Stage, WebhookEvent  # noqa: E402
from integrations.sandbox import SandboxTenant  # noqa: E402
from integrations.sandbox.webhooks import status_change_event  # noqa: E402
from integrations.sandbox.wsgi import make_app  # noqa: E402
from integrations.services.icims_clients import icims_shared_state  # noqa: E402
from integrations.services.webhook_event_ingest import webhook_event_ingest  # noqa: E402
from integrations.webhooks.request_body import event_parse  # noqa: E402
from sync.engine import sync_entity_run  # noqa: E402
from sync.models import Entity, SyncRun, SyncState  # noqa: E402
from sync.scope import scope_folders  # noqa: E402
from sync.services.sync_dispatch_tick import sync_dispatch_tick  # noqa: E402
from sync.services.sync_due_claim import CLAIMS_PENDING_KEY  # noqa: E402

LATENCY_SECONDS = 0.150
UNHEALTHY_KINDS = ("unreachable", "slow", "rate_limited", "failing")
TRIGGER, NOT_A_TRIGGER = "C51218", "C51211"
CLIENT_ID, CLIENT_SECRET = "sandbox-client", "sandbox-secret"
BASE_CADENCE, BASE_TICK, BASE_JITTER = 300, 60, 55
# The Procfile's defaults; the sync worker gets a slot per TENANTS_PER_SYNC_SLOT tenants beyond them.
URGENT_CONCURRENCY, SYNC_CONCURRENCY, TENANTS_PER_SYNC_SLOT = 4, 4, 100
CELERY_WORKER = [sys.executable, "-m", "celery", "-A", "goodtime_icims", "worker"]
CELERY_WORKER += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 1024


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


class Fleet:
    """N sandbox tenants behind one server: /t/<customer id>/... reaches that tenant, after its behaviour."""

    def __init__(self, *, size: int, port: int, seed: int = 1) -> None:
        self.size = size
        self.port = port
        rng = random.Random(seed)
        unhealthy = set(rng.sample(range(size), max(1, size // 10)))
        self.behaviour: dict[str, str] = {}
        self.tenants: dict[str, SandboxTenant] = {}
        self.apps = {}
        for index in range(size):
            customer_id = str(100_000 + index)
            kind = UNHEALTHY_KINDS[len([i for i in unhealthy if i < index]) % 4] if index in unhealthy else "healthy"
            self.behaviour[customer_id] = kind
            if kind in ("healthy", "slow"):
                tenant = SandboxTenant.seeded(
                    candidates=20, users=4, jobs=4, workflows=40, seed=index + 1, customer_id=customer_id
                )
                self.tenants[customer_id] = tenant
                self.apps[customer_id] = make_app(tenant)
        self.server = make_server("127.0.0.1", port, self.app, server_class=_Server, handler_class=_Quiet)
        # Accepts connections (the kernel's backlog) and never answers: an iCIMS host that hangs.
        self.black_hole = socket.create_server(("127.0.0.1", port + 1), backlog=4096)

    def base_url(self, customer_id: str) -> str:
        if self.behaviour[customer_id] == "unreachable":
            return f"http://127.0.0.1:{self.port + 1}/t/{customer_id}"
        return f"http://127.0.0.1:{self.port}/t/{customer_id}"

    def app(self, environ, start_response):
        _, _, customer_id, rest = (environ.get("PATH_INFO") or "/").split("/", 3)
        environ["PATH_INFO"] = "/" + rest
        kind = self.behaviour.get(customer_id, "missing")
        if kind == "rate_limited":
            start_response("429 Too Many Requests", [("Retry-After", "30"), ("Content-Type", "application/json")])
            return [b'{"errors":[{"errorMessage":"Too many requests.","errorCode":0}]}']
        if kind in ("failing", "missing"):
            start_response("503 Service Unavailable", [("Content-Type", "application/json")])
            return [b'{"errors":[{"errorMessage":"Service temporarily unavailable.","errorCode":0}]}']
        time.sleep(10 if kind == "slow" else LATENCY_SECONDS)
        return self.apps[customer_id](environ, start_response)

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.black_hole.close()


def reset_database_and_queues() -> None:
    with db.cursor() as cursor:
        cursor.execute("TRUNCATE integrations_connection CASCADE")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    for key in broker.scan_iter("*"):
        broker.delete(key)


def seed_connections(fleet: Fleet, *, cadence: float) -> list[Connection]:
    """The fleet's connections in steady state: walked, each state due somewhere within the next cadence."""
    now = timezone.now()
    rng = random.Random(2)
    connections = Connection.objects.bulk_create(
        [
            Connection(
                name=f"Tenant {customer_id} ({fleet.behaviour[customer_id]})",
                customer_id=customer_id,
                api_url_override=fleet.base_url(customer_id),
                token_url_override=f"{fleet.base_url(customer_id)}/oauth/token",
                credential_mode=Connection.CredentialMode.CUSTOMER,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                webhook_username=f"icims-{customer_id}",
                webhook_password="fleet-webhook-password",
                initial_sync_done_at=now,
            )
            for customer_id in fleet.behaviour
        ]
    )
    states, runs = [], []
    for connection in connections:
        for entity in Entity.values:
            last = now - timedelta(seconds=rng.uniform(0, cadence))
            states.append(
                SyncState(
                    connection=connection,
                    entity=entity,
                    search_watermark=last,
                    last_full_run_at=now - timedelta(days=1),
                    last_success_at=last,
                    scope_folders=scope_folders(connection=connection, entity=entity),
                    next_run_at=last + timedelta(seconds=cadence),
                )
            )
            runs.append(
                SyncRun(
                    connection=connection,
                    entity=entity,
                    mode=SyncRun.Mode.INCREMENTAL_SEARCH,
                    status=SyncRun.Status.SUCCEEDED,
                    started_at=last,
                    finished_at=last,
                )
            )
    SyncState.objects.bulk_create(states, batch_size=2000)
    SyncRun.objects.bulk_create(runs, batch_size=2000)
    Stage.objects.bulk_create(
        [
            Stage(
                connection=connection,
                bin="Interview",
                status="First Interview - Schedule",
                status_id=TRIGGER,
                triggers_scheduling=True,
            )
            for connection in connections
        ]
    )
    return connections


def seed_idle(count: int) -> None:
    """`count` idle tenants (not due for a year, a run each in their history), copied in SQL from one made by
    the ORM: ten thousand through the ORM (encryption, objects) took minutes of the benchmark."""
    if not count:
        return
    template = Connection.objects.create(
        name="Idle template",
        customer_id="999999999",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    now = timezone.now()
    for entity in Entity.values:
        SyncState.objects.create(
            connection=template, entity=entity, last_success_at=now, next_run_at=now + timedelta(days=365)
        )
        SyncRun.objects.create(
            connection=template,
            entity=entity,
            mode=SyncRun.Mode.INCREMENTAL_SEARCH,
            status=SyncRun.Status.SUCCEEDED,
            started_at=now,
            finished_at=now,
        )

    def columns(model, *left_out: str) -> str:
        return ", ".join(f.column for f in model._meta.concrete_fields if f.column not in ("id", *left_out))

    table = Connection._meta.db_table
    copied = columns(Connection, "name", "customer_id", "webhook_username")
    # Only table and column names from the models are formatted in; the values are parameters.
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name, customer_id, webhook_username, {copied}) "
            f"SELECT 'Idle ' || g, (900000 + g)::text, '', {copied} FROM {table}, generate_series(0, %s - 1) g "
            "WHERE id = %s",
            [count, template.pk],
        )
        for model in (SyncState, SyncRun):
            rows = columns(model, "connection_id")
            cursor.execute(
                f"INSERT INTO {model._meta.db_table} (connection_id, {rows}) "
                f"SELECT c.id, {', '.join(f't.{name.strip()}' for name in rows.split(','))} "
                f"FROM {table} c JOIN {model._meta.db_table} t ON t.connection_id = %s "
                "WHERE c.name LIKE 'Idle %%' AND c.id <> %s",
                [template.pk, template.pk],
            )


def analyze() -> None:
    """Fresh planner statistics after a bulk seed, as autovacuum keeps them in a database that grew slowly."""
    with db.cursor() as cursor:
        cursor.execute("ANALYZE")


def tick_ms(repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        sync_dispatch_tick()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def dispatcher_alone(fleet: Fleet) -> dict[str, float]:
    """Tick cost without workers: all idle; one minute's share due (what a steady tick enqueues); with
    ten times as many idle tenants beside."""
    figures = {}
    for extra_idle, label in ((0, "N"), (9 * fleet.size, "10N")):
        reset_database_and_queues()
        seed_connections(fleet, cadence=BASE_CADENCE)
        seed_idle(extra_idle)
        analyze()
        SyncState.objects.update(next_run_at=timezone.now() + timedelta(days=1))
        figures[f"idle, {label} tenants"] = tick_ms(20)
        share = list(
            SyncState.objects.filter(connection__customer_id__lt="9").values_list("pk", flat=True)[
                : math.ceil(3 * fleet.size * BASE_TICK / BASE_CADENCE)
            ]
        )
        SyncState.objects.filter(pk__in=share).update(next_run_at=None)
        timings = []
        for _ in range(5):
            icims_shared_state().delete(CLAIMS_PENDING_KEY)  # a new minute: every due run's claim is sent again
            started = time.perf_counter()
            claims = sync_dispatch_tick().claims
            timings.append((time.perf_counter() - started) * 1000)
        figures[f"{claims} due (a minute's share), {label} tenants"] = statistics.median(timings)
    reset_database_and_queues()
    return figures


def start_workers(environment: dict[str, str], *, size: int, logs: Path) -> list[subprocess.Popen]:
    """One worker process per queue of the settings (as the Procfile), or one for the default queue."""
    queues = [queue.name for queue in getattr(settings, "CELERY_TASK_QUEUES", ())] or ["celery"]
    sync_concurrency = max(SYNC_CONCURRENCY, math.ceil(size / TENANTS_PER_SYNC_SLOT))
    workers = []
    for queue in queues:
        concurrency = sync_concurrency if queue == "sync" or len(queues) == 1 else URGENT_CONCURRENCY
        # On one shared machine the sync worker yields the CPU to the urgent one, as its own machines or a
        # lower priority (README: Nice=10) would in production; without it the urgent slots wait for a core.
        nice = ["nice", "-n", "10"] if queue == "sync" and len(queues) > 1 else []
        log = open(logs / f"worker-{queue}.log", "wb")  # noqa: SIM115 - closed by the OS at exit
        workers.append(
            subprocess.Popen(
                [*nice, *CELERY_WORKER, "-Q", queue, "-n", f"{queue}@%h", "--concurrency", str(concurrency)],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        print(f"  worker: queue {queue}, concurrency {concurrency}")
    return workers


def wait_for_workers(workers: list[subprocess.Popen], *, seconds: float = 180) -> float:
    """Until every worker answers a ping: events sent while a worker still starts would time its start-up
    (30-40 s on a loaded machine), not the urgent lane. Returns the seconds waited."""
    from goodtime_icims.celery import app

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if any(worker.poll() is not None for worker in workers):
            sys.exit("A worker exited at start: see var/fleet/worker-*.log")
        if len(app.control.ping(timeout=1.0)) >= len(workers):
            return time.monotonic() - started
    sys.exit(f"The workers did not answer a ping within {seconds:.0f} s")


def beat_loop(every: float, seconds: float, out: str) -> None:
    """The dispatcher's ticks in a process of their own, as beat and the urgent worker run them in production
    (this process serves every sandbox tenant, whose threads would be timed too): one line per tick."""
    ends = time.monotonic() + seconds
    next_tick = time.monotonic()
    with open(out, "w") as lines:
        while time.monotonic() < ends:
            begun = time.perf_counter()
            result = sync_dispatch_tick()
            lines.write(f"{(time.perf_counter() - begun) * 1000:.3f} {result.claims}\n")
            lines.flush()
            next_tick += every
            time.sleep(max(0.0, next_tick - time.monotonic()))


def stop_workers(workers: list[subprocess.Popen]) -> None:
    # A cold shutdown: the figures are taken, and a warm one waits for a run against a silent tenant.
    for worker in workers:
        worker.send_signal(signal.SIGQUIT)
    for worker in workers:
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def send_event(fleet: Fleet, connection: Connection, workflow_id: int) -> None:
    tenant = fleet.tenants.get(connection.customer_id) if fleet.behaviour[connection.customer_id] == "healthy" else None
    if tenant is not None:
        tenant.change_status(workflow_id, TRIGGER, notify=False)
        workflow = tenant.workflows[workflow_id]
        person, job = workflow.person, workflow.job
    else:
        person, job = 1, 1
    payload = status_change_event(
        customer_id=connection.customer_id,
        customer_url=f"{fleet.base_url(connection.customer_id)}/customers/{connection.customer_id}",
        workflow_id=workflow_id,
        person_id=person,
        job_id=job,
        user_id=1,
        old_status=NOT_A_TRIGGER,
        new_status=TRIGGER,
        numeric_status_ids=False,
    )
    webhook_event_ingest(connection=connection, event=event_parse(body=json.dumps(payload).encode()), headers={})


def live(fleet: Fleet, *, minutes: float, scale: float, logs: Path) -> dict:
    cadence, tick_every, jitter = BASE_CADENCE / scale, BASE_TICK / scale, BASE_JITTER / scale
    for name, value in (
        ("SYNC_INTERVAL_SECONDS", cadence),
        ("SYNC_DISPATCH_INTERVAL_SECONDS", tick_every),
        ("SYNC_DISPATCH_JITTER_SECONDS", jitter),
    ):
        setattr(settings, name, max(1, int(value)))
    environment = {
        **os.environ,
        "SYNC_INTERVAL_SECONDS": str(settings.SYNC_INTERVAL_SECONDS),
        "SYNC_DISPATCH_INTERVAL_SECONDS": str(settings.SYNC_DISPATCH_INTERVAL_SECONDS),
        "SYNC_DISPATCH_JITTER_SECONDS": str(settings.SYNC_DISPATCH_JITTER_SECONDS),
    }
    reset_database_and_queues()
    workers = start_workers(environment, size=fleet.size, logs=logs)  # they boot while the fleet is seeded
    connections = seed_connections(fleet, cadence=cadence)
    analyze()
    healthy = [c for c in connections if fleet.behaviour[c.customer_id] == "healthy"]
    unhealthy = [c for c in connections if fleet.behaviour[c.customer_id] != "healthy"]
    print(f"  workers answered a ping after {wait_for_workers(workers):.0f} s; the clock starts now")
    ticks_file = logs / "ticks.txt"
    beat = subprocess.Popen(
        [sys.executable, __file__, "--beat-loop", str(tick_every), str(minutes * 60), str(ticks_file)],
        cwd=ROOT,
        env=environment,
    )
    rng = random.Random(3)
    workflows = {c.customer_id: iter(sorted(fleet.tenants[c.customer_id].workflows)) for c in healthy}
    started = time.monotonic()
    ends = started + minutes * 60
    warm = started + cadence  # every state has come due once: the ages are the workers' own
    next_event = next_sample = started
    ages, sent_healthy = [], 0
    healthy_ids = [c.pk for c in healthy]
    try:
        while (now := time.monotonic()) < ends:
            if now >= next_event:
                if rng.random() < 0.9 or not unhealthy:
                    connection = rng.choice(healthy)
                    workflow_id = next(workflows[connection.customer_id], None)
                    if workflow_id is not None:
                        send_event(fleet, connection, workflow_id)
                        sent_healthy += 1
                else:
                    send_event(fleet, rng.choice(unhealthy), rng.randint(1, 10**6))
                next_event += 60 / max(6, min(60, fleet.size))  # up to one event a second
            if now >= next_sample and now >= warm:
                latest = (
                    SyncRun.objects.filter(connection_id__in=healthy_ids, status=SyncRun.Status.SUCCEEDED)
                    .values("connection_id", "entity")
                    .annotate(last=Max("started_at"))
                )
                moment = timezone.now()
                ages.extend((moment - row["last"]).total_seconds() for row in latest)
                next_sample = now + 5
            time.sleep(0.05)
        time.sleep(5)  # the last events' processing
    finally:
        beat.wait()
        stop_workers(workers)
    ticks = [(float(ms), int(claims)) for ms, claims in (line.split() for line in ticks_file.read_text().splitlines())]
    events = WebhookEvent.objects.filter(connection_id__in=healthy_ids)
    requests_at = {
        (row.connection_id, row.workflow_id): row.created_at
        for row in SchedulingRequest.objects.filter(connection_id__in=healthy_ids)
    }
    delays, missing = [], 0
    for event in events:
        created = requests_at.get((event.connection_id, event.payload.get("systemId")))
        if created is None:
            missing += 1
        else:
            delays.append((created - event.received_at).total_seconds())
    statuses = dict(SyncRun.objects.values_list("status").annotate(count=Count("pk")).order_by())
    return {
        "cadence": cadence,
        "delays": delays,
        "missing": missing,
        "sent_healthy": sent_healthy,
        "ages": ages,
        "ticks": ticks,
        "statuses": statuses,
    }


class CountingConnection(redis.Connection):
    round_trips = 0

    def send_packed_command(self, command, check_health=True):
        CountingConnection.round_trips += 1
        return super().send_packed_command(command, check_health)


def round_trips_per_call(fleet: Fleet) -> tuple[int, int]:
    """A backfill of one larger healthy tenant in this process, its Redis connection counting what it sends
    (the run's lock and heartbeats included, not only the call's own checks)."""
    reset_database_and_queues()
    customer_id = "199999"
    tenant = SandboxTenant.seeded(candidates=200, users=40, jobs=60, workflows=10, seed=5, customer_id=customer_id)
    fleet.behaviour[customer_id], fleet.tenants[customer_id], fleet.apps[customer_id] = (
        "healthy",
        tenant,
        make_app(tenant),
    )
    connection = Connection.objects.create(
        name="Round trips",
        customer_id=customer_id,
        api_url_override=fleet.base_url(customer_id),
        token_url_override=f"{fleet.base_url(customer_id)}/oauth/token",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    pool = icims_shared_state().client.connection_pool
    pool.disconnect()
    pool.connection_class = CountingConnection
    CountingConnection.round_trips, calls = 0, 0
    for entity in Entity.values:
        calls += sync_entity_run(connection=connection, entity=entity).calls_spent
    trips = CountingConnection.round_trips
    del fleet.behaviour[customer_id], fleet.tenants[customer_id], fleet.apps[customer_id]
    reset_database_and_queues()
    return trips, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--minutes", type=float, help="Live phase per N, real minutes. Default: 1.5 (N <= 100), 6.")
    parser.add_argument("--time-scale", type=float, help="Default: 5 for N <= 100, 1 above.")
    parser.add_argument("--beat-loop", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=9310, help="The sandbox server (and the next port).")
    parser.add_argument("--no-live", action="store_true", help="Only the round trips and the dispatcher alone.")
    args = parser.parse_args()
    if args.beat_loop:
        every, seconds, out = args.beat_loop
        beat_loop(float(every), float(seconds), out)
        return
    if db.vendor != "postgresql" or not settings.REDIS_URL:
        sys.exit("Set DATABASE_URL to PostgreSQL and REDIS_URL to a Redis DB of the benchmark's own.")
    call_command("migrate", verbosity=0)
    logs = ROOT / "var" / "fleet"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"Queues: {[q.name for q in getattr(settings, 'CELERY_TASK_QUEUES', ())] or ['celery (one queue)']}")
    for size in args.tenants:
        scale = args.time_scale or (5 if size <= 100 else 1)
        minutes = args.minutes or (1.5 if size <= 100 else 6)
        phase = time.monotonic()
        fleet = Fleet(size=size, port=args.port)
        fleet.start()
        try:
            print(f"  ({time.monotonic() - phase:.0f} s) the sandbox tenants made")
            kinds = Counter(kind for kind in fleet.behaviour.values() if kind != "healthy")
            print(f"\n== N = {size}: {size - sum(kinds.values())} healthy; unhealthy {dict(sorted(kinds.items()))}")
            if size == args.tenants[0]:  # the same at every N: measured once
                trips, calls = round_trips_per_call(fleet)
                print(
                    f"  Redis round trips per iCIMS call: {trips / calls:.2f} ({trips} for {calls} calls, a backfill)"
                )
            print(f"  ({time.monotonic() - phase:.0f} s) the dispatcher alone:")
            for label, ms in dispatcher_alone(fleet).items():
                print(f"  dispatcher tick alone, {label}: {ms:.1f} ms")
            result = None
            if not args.no_live:
                print(
                    f"  set-up took {time.monotonic() - phase:.0f} s; live for {minutes} min, time scale {scale:g}: "
                    f"cadence {BASE_CADENCE / scale:.0f} s, tick every {BASE_TICK / scale:.0f} s, "
                    f"jitter {BASE_JITTER / scale:.0f} s"
                )
                result = live(fleet, minutes=minutes, scale=scale, logs=logs)
        finally:
            fleet.stop()
        if result is None:
            continue
        delays, ages, ticks = result["delays"], result["ages"], result["ticks"]
        print(
            f"  webhook received -> scheduling request (healthy): p50 {percentile(delays, 0.5):.2f} s, "
            f"p99 {percentile(delays, 0.99):.2f} s over {len(delays)}; {result['missing']} of "
            f"{result['sent_healthy']} got none by the end"
        )
        print(
            f"  sync data age (healthy): p50 {percentile(ages, 0.5):.0f} s, p99 {percentile(ages, 0.99):.0f} s real"
            f" = p50 {percentile(ages, 0.5) * scale / 60:.1f} min, p99 {percentile(ages, 0.99) * scale / 60:.1f} min"
            f" at scale {scale:g} ({len(ages)} samples)"
        )
        live_ms = [ms for ms, _ in ticks]
        print(
            f"  dispatcher tick live: median {statistics.median(live_ms):.1f} ms, max {max(live_ms):.1f} ms over "
            f"{len(ticks)} ticks, {statistics.mean(n for _, n in ticks):.1f} claims sent per tick"
        )
        print(f"  sync runs by status: {result['statuses']}")


if __name__ == "__main__":
    main()
