"""Load test of `POST /v2/ats/webhook/icims` against gunicorn on PostgreSQL. Run by hand (≈ 2 minutes):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        python -m benchmarks.webhook_ingest [--duration 20] [--rate 300] [--workers 5] [--port 8765] \\
        [--worker-nice 0]

Four phases on loopback, each `--duration` seconds, with gzip'd, Basic-authenticated, unique events
(none collapse as duplicates):
  1. the ceiling: a bare Django view that returns 200, same gunicorn config, as fast as it goes;
  2. the persist floor: a bare view that only stores the body as one row (one INSERT, one commit),
     the least an endpoint that persists before it acknowledges can do; for reference;
  3. the webhook endpoint, as fast as it goes;
  4. the webhook endpoint at a fixed `--rate`, latency measured from each request's scheduled time
     (so a stall counts against us, not hidden by the generator waiting).
Then: events stored == events answered 200 == events sent, or the run fails.

A real urgent worker (the Procfile's `worker-urgent`, whose listener finds new events) runs beside
gunicorn in phase 4, and received -> processed p50/p99 is read from the rows of that phase's events
(`received_at` to the worker's last state change), all of which must be processed. The events carry
no `systemId`, so processing ends without an iCIMS call: the figure is the pipeline's (notify,
listener, queue, claim, record), not iCIMS's. REDIS_URL is required (the worker's broker).
`--worker-nice N` runs that worker at a lower CPU priority, as on a host where web and workers share
cores (README: the web processes first, the worker has seconds where iCIMS waits for milliseconds).

The load generator (benchmarks/http_load.py) is one thread on epoll with requests built before each
phase; it reports its own CPU. Each phase also reports the CPU time gunicorn, the worker and the
PostgreSQL server used per request (from /proc, whole process trees: a database backend that closes
during the phase still counts; the server's background writers count too, and so would another database's
work, so run it on a quiet machine): on a machine shared with other work, requests per second measure the
neighbours too, CPU per request does not. The load average is printed at the start and the end.

It creates a throw-away connection and deletes it (and its events) at the end. REDIS_URL (if set)
should be a database of its own: the enqueued processing messages are purged at the end.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import http.client
import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.cpu_meter import CpuMeter, parent_pid
from benchmarks.http_load import LoadResult, http_post, prebuilt, run_closed_loop, run_fixed_rate
from benchmarks.worker_process import ROOT, urgent_worker_start, worker_environment

WEBHOOK_PATH = "/v2/ats/webhook/icims"
CEILING_PATH = "/bench/ceiling"
PERSIST_FLOOR_PATH = "/bench/persist-floor"


def _start_gunicorn(env: dict[str, str], *, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "goodtime_icims.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            probe.request("POST", CEILING_PATH, b"{}")
            if probe.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


class Load:
    """Unique, gzip'd, Basic-authenticated events, as iCIMS would send them, as whole HTTP requests."""

    def __init__(self, *, customer_id: str, username: str, password: str):
        self.customer_id = customer_id
        self.headers = {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode(),
            "User-Agent": "Apache-HttpClient/4.5.13 (Java/11)",
        }
        self.counter = itertools.count(1)

    def body(self) -> bytes:
        number = next(self.counter)
        return gzip.compress(
            json.dumps(
                {
                    "eventType": "WorkFlowStatusChangeEvent",
                    "customerId": self.customer_id,
                    "personId": str(100000 + number),
                    "jobId": "4442",
                    "userId": "9059",
                    "oldStatus": "1753",
                    "newStatus": "20786",
                    "links": [
                        {
                            "rel": "applicantWorkflow",
                            "title": "Applicant Workflow",
                            "url": f"https://api.icims.com/customers/{self.customer_id}/applicantworkflows/{number}",
                        }
                    ],
                }
            ).encode()
        )

    def requests(self, path: str, *, count: int):
        """`count` requests built now, outside the measured phase (more on demand if a phase needs them)."""
        return prebuilt(lambda: http_post(path=path, body=self.body(), headers=self.headers), count)


class Phase:
    """A phase's load result with the CPU the server side used for it."""

    def __init__(self, name: str, load: LoadResult, cpu: dict[str, float]) -> None:
        self.name, self.load, self.cpu = name, load, cpu

    def cpu_per_request_us(self, *groups: str) -> float:
        answered = len(self.load.latencies)
        return sum(self.cpu[group] for group in groups) / answered * 1e6 if answered else float("nan")

    def line(self) -> str:
        load = self.load
        return (
            f"{self.name:<26} {load.rps:7.1f} req/s  p50 {load.percentile_ms(0.5):8.2f} ms  "
            f"p99 {load.percentile_ms(0.99):8.2f} ms  {dict(sorted(load.statuses.items()))} errors {load.errors}\n"
            f"{'':<26} CPU per request: gunicorn {self.cpu_per_request_us('gunicorn'):5.0f} us, PostgreSQL "
            f"{self.cpu_per_request_us('postgres'):4.0f} us, worker {self.cpu_per_request_us('worker'):4.0f} us; "
            f"load generator {self.cpu_per_request_us('client'):4.0f} us ({load.client_cpu_share:.0%} of a core)"
        )


def _measured(name: str, meter: CpuMeter, run) -> Phase:
    meter.start()
    load = run()
    cpu = meter.stop()
    cpu["client"] = load.client_cpu_seconds
    phase = Phase(name, load, cpu)
    print(phase.line(), flush=True)
    return phase


def _wait_until_processed(model, connection, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    pending = model.objects.filter(connection=connection, state__in=["received", "processing"])
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def _received_to_processed(model, connection, *, after_id: int) -> list[float]:
    """Milliseconds from received to the worker's last state change, for events done by a worker."""
    rows = model.objects.filter(connection=connection, pk__gt=after_id, attempts__gte=1).values_list(
        "received_at", "state_changed_at"
    )
    return [(done - received).total_seconds() * 1000 for received, done in rows]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second in the fixed-rate phase")
    parser.add_argument(
        "--rate-of-max",
        type=float,
        default=None,
        help="instead of --rate: this share of the webhook's own max of the same run (a busy machine's 300 req/s)",
    )
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight in the max phases")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--worker-nice", type=int, default=0, help="run the urgent worker at this nice level")
    args = parser.parse_args()

    env = worker_environment(SECURE_SSL_REDIRECT="False", ALLOWED_HOSTS="127.0.0.1,localhost")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from goodtime_icims.celery import app as celery_app
    from integrations.models import Connection, WebhookEvent

    call_command("migrate", verbosity=0)
    from django.db import connection as db

    from benchmarks.urls import PERSIST_FLOOR_TABLE

    with db.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PERSIST_FLOOR_TABLE} (id bigserial PRIMARY KEY, body bytea)")
    tag = secrets.token_hex(4)
    password = secrets.token_urlsafe(24)
    connection = Connection.objects.create(
        name=f"benchmark {tag}",
        customer_id=f"bench{tag}",
        webhook_auth=Connection.WebhookAuth.BASIC,
        webhook_username=f"bench-{tag}",
        webhook_password=password,
    )
    load = Load(customer_id=connection.customer_id, username=connection.webhook_username, password=password)

    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        postmaster = parent_pid(cursor.fetchone()[0])  # None if PostgreSQL is not on this machine

    started_at, load_at_start = time.monotonic(), _load_average()
    server = _start_gunicorn(env, port=args.port, workers=args.workers)
    worker = None
    meter = CpuMeter(
        {
            "gunicorn": lambda: server.pid,
            "worker": lambda: worker.pid if worker else None,
            "postgres": lambda: postmaster,
        }
    )
    # Enough requests built beforehand for a fast machine; a faster one builds the rest during the phase.
    closed_count = int(args.duration * 2500)
    try:
        print(
            f"gunicorn: {args.workers} sync workers; load generator: {args.concurrency} in flight; "
            f"{os.cpu_count()} CPUs shared by all; {args.duration:.0f} s per phase; load average {load_at_start}",
            flush=True,
        )
        for path in (WEBHOOK_PATH, CEILING_PATH):
            run_closed_loop(port=args.port, requests=load.requests(path, count=0), seconds=2, concurrency=8)
        sent_before = WebhookEvent.objects.filter(connection=connection).count()

        def closed(path: str):
            requests = load.requests(path, count=closed_count)
            return lambda: run_closed_loop(
                port=args.port, requests=requests, seconds=args.duration, concurrency=args.concurrency
            )

        ceiling = _measured("ceiling (bare view), max", meter, closed(CEILING_PATH))
        floor = _measured("persist floor (1 INSERT)", meter, closed(PERSIST_FLOOR_PATH))
        webhook = _measured("webhook, max", meter, closed(WEBHOOK_PATH))
        if args.rate_of_max:
            args.rate = max(1.0, round(webhook.load.rps * args.rate_of_max))
        worker = urgent_worker_start(env, concurrency=2, nice=args.worker_nice)
        _wait_until_processed(WebhookEvent, connection, seconds=120)  # the max phase's backlog first
        paced_after = WebhookEvent.objects.filter(connection=connection).order_by("-id").values_list("id", flat=True)
        paced_after = paced_after.first() or 0
        paced_requests = load.requests(WEBHOOK_PATH, count=int(args.duration * args.rate))
        paced = _measured(
            f"webhook, {args.rate:.0f} req/s",
            meter,
            lambda: run_fixed_rate(port=args.port, requests=paced_requests, seconds=args.duration, rate=args.rate),
        )
        meter.start()
        _wait_until_processed(WebhookEvent, connection, seconds=60)
        drain_cpu = meter.stop()
    finally:
        server.terminate()
        server.wait(timeout=30)
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    lag = _received_to_processed(WebhookEvent, connection, after_id=paced_after)
    stored = WebhookEvent.objects.filter(connection=connection).count() - sent_before
    sent = webhook.load.sent + paced.load.sent
    answered = webhook.load.statuses.get(200, 0) + paced.load.statuses.get(200, 0)
    unanswered = sent - answered  # the client gave up (10 s) or an error: stored all the same, or lost
    share = webhook.load.rps / floor.load.rps if floor.load.rps else float("nan")
    server_side = ("gunicorn", "postgres")
    cpu_share = floor.cpu_per_request_us(*server_side) / webhook.cpu_per_request_us(*server_side)
    worker_per_event = (paced.cpu["worker"] + drain_cpu["worker"]) / max(1, len(lag)) * 1e6
    unprocessed = WebhookEvent.objects.filter(
        connection=connection, state__in=[WebhookEvent.State.RECEIVED, WebhookEvent.State.PROCESSING]
    ).count()
    # Lost: answered 200 but not stored. A request the generator gave up on (10 s) may or may not be stored;
    # unanswered, the sender would send it again.
    print(
        f"events sent {sent}, answered 200 {answered}, stored {stored}, lost {max(0, answered - stored)}, "
        f"left unprocessed {unprocessed}; {unanswered} given up on after 10 s ({max(0, sent - stored)} of them "
        "never stored)"
    )
    print(
        f"webhook max throughput = {share:.0%} of the persist floor (target >= 75%); the floor is "
        f"{floor.load.rps / ceiling.load.rps:.0%} of the ceiling, the webhook {webhook.load.rps / ceiling.load.rps:.0%}"
    )
    print(
        f"server CPU per request (gunicorn + PostgreSQL): ceiling {ceiling.cpu_per_request_us(*server_side):.0f} us, "
        f"floor {floor.cpu_per_request_us(*server_side):.0f} us, webhook {webhook.cpu_per_request_us(*server_side):.0f}"
        f" us: the floor's CPU is {cpu_share:.0%} of the webhook's (what the share would be on idle cores)"
    )
    print(
        f"p99 at {args.rate:.0f} req/s = {paced.load.percentile_ms(0.99):.2f} ms (target <= 15 ms); "
        f"achieved {paced.load.rps:.1f} req/s, {paced.load.rps / webhook.load.rps:.0%} of the webhook's max"
    )
    print(
        f"received -> processed at {args.rate:.0f} req/s, {len(lag)} events: p50 {_percentile(lag, 0.5):.0f} ms, "
        f"p99 {_percentile(lag, 0.99):.0f} ms (target p99 <= 1000 ms); worker CPU {worker_per_event:.0f} us per event"
    )
    print(
        f"load generator: at most {max(p.load.client_cpu_share for p in (ceiling, floor, webhook, paced)):.0%} of a "
        f"core; load average {load_at_start} at the start, {_load_average()} at the end; "
        f"{time.monotonic() - started_at:.0f} s"
    )
    connection.delete()
    with db.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PERSIST_FLOOR_TABLE}")
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge(celery_app.conf.task_default_queue)
    ok = (
        stored == sent == answered
        and unprocessed == 0
        and len(lag) == paced.load.statuses.get(200, 0)
        and share >= 0.75
        and paced.load.percentile_ms(0.99) <= 15
        and _percentile(lag, 0.99) <= 1000
    )
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
