"""Load test of `POST /v2/ats/webhook/icims` against gunicorn on PostgreSQL. Run by hand:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        python -m benchmarks.webhook_ingest [--duration 30] [--rate 300] [--workers 5] [--port 8765]

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

It creates a throw-away connection and deletes it (and its events) at the end. REDIS_URL (if set)
should be a database of its own: the enqueued processing messages are purged at the end.
The load generator shares the machine with the server: on a small machine it takes CPU from it.
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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEBHOOK_PATH = "/v2/ats/webhook/icims"
CEILING_PATH = "/bench/ceiling"
PERSIST_FLOOR_PATH = "/bench/persist-floor"


@dataclass
class PhaseResult:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def sent(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else float("nan")

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.rps:8.1f} req/s   p50 {self.percentile(0.5):7.2f} ms   "
            f"p99 {self.percentile(0.99):7.2f} ms   statuses {dict(sorted(self.statuses.items()))}   "
            f"errors {self.errors}"
        )


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the benchmark is about PostgreSQL).")
    if not env.get("REDIS_URL"):
        sys.exit("Set REDIS_URL to a Redis database of the benchmark's own (the worker's broker).")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if "FIELD_ENCRYPTION_KEYS" not in env:
        from cryptography.fernet import Fernet

        env["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DEBUG": "False",
            "SECURE_SSL_REDIRECT": "False",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _start_urgent_worker(env: dict[str, str]) -> subprocess.Popen:
    """The Procfile's urgent worker (its listener included), with 2 processes."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker-urgent:"))
    words = line.split(":", 1)[1].replace("${URGENT_CONCURRENCY:-4}", "2").split()
    assert words[0] == "celery", line
    return subprocess.Popen(
        [sys.executable, "-m", *words[:-2], "--loglevel", "WARNING"], cwd=ROOT, env=env, start_new_session=True
    )


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
    """Unique, gzip'd, Basic-authenticated events, as iCIMS would send them."""

    def __init__(self, *, customer_id: str, username: str, password: str):
        self.customer_id = customer_id
        self.authorization = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
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

    def headers(self) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "Authorization": self.authorization,
            "User-Agent": "Apache-HttpClient/4.5.13 (Java/11)",
        }


def _send(connection: http.client.HTTPConnection, path: str, load: Load) -> int:
    connection.request("POST", path, load.body(), load.headers())
    response = connection.getresponse()
    response.read()
    return response.status


def _record(result: PhaseResult, lock: threading.Lock, latency: float | None, status: int | None) -> None:
    with lock:
        if status is None:
            result.errors += 1
        else:
            result.latencies.append(latency)
            result.statuses[status] = result.statuses.get(status, 0) + 1


def run_closed_loop(name: str, *, port: int, path: str, load: Load, seconds: float, concurrency: int) -> PhaseResult:
    result = PhaseResult(name, seconds)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status = _send(connection, path, load)
            except (OSError, http.client.HTTPException):
                connection.close()
                _record(result, lock, None, None)
                continue
            _record(result, lock, time.perf_counter() - started, status)

    _run_threads(client, concurrency)
    return result


def run_fixed_rate(
    name: str, *, port: int, path: str, load: Load, seconds: float, rate: float, concurrency: int
) -> PhaseResult:
    result = PhaseResult(name, seconds)
    lock = threading.Lock()
    tickets = itertools.count()
    total = int(seconds * rate)
    start = time.perf_counter() + 0.1

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while (ticket := next(tickets)) < total:
            scheduled = start + ticket / rate
            time.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                status = _send(connection, path, load)
            except (OSError, http.client.HTTPException):
                connection.close()
                _record(result, lock, None, None)
                continue
            _record(result, lock, time.perf_counter() - scheduled, status)

    _run_threads(client, concurrency)
    return result


def _run_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _wait_until_processed(model, connection, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    pending = model.objects.filter(connection=connection, state__in=["received", "processing"])
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.5)


def _received_to_processed(model, connection, *, after_id: int) -> list[float]:
    """Milliseconds from received to the worker's last state change, for events done by a worker."""
    rows = model.objects.filter(connection=connection, pk__gt=after_id, attempts__gte=1).values_list(
        "received_at", "state_changed_at"
    )
    return [(done - received).total_seconds() * 1000 for received, done in rows]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=300.0, help="requests per second in the fixed-rate phase")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn sync workers")
    parser.add_argument("--concurrency", type=int, default=8, help="load generator threads")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    env = _environment()
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
    server = _start_gunicorn(env, port=args.port, workers=args.workers)
    try:
        print(
            f"gunicorn: {args.workers} sync workers; load generator: {args.concurrency} threads; "
            f"{os.cpu_count()} CPUs shared by both; {args.duration:.0f} s per phase"
        )
        run_closed_loop(
            "warm-up", port=args.port, path=WEBHOOK_PATH, load=load, seconds=2, concurrency=args.concurrency
        )
        run_closed_loop(
            "warm-up", port=args.port, path=CEILING_PATH, load=load, seconds=2, concurrency=args.concurrency
        )
        sent_before = WebhookEvent.objects.filter(connection=connection).count()
        ceiling = run_closed_loop(
            "ceiling (bare view), max",
            port=args.port,
            path=CEILING_PATH,
            load=load,
            seconds=args.duration,
            concurrency=args.concurrency,
        )
        print(ceiling.line())
        floor = run_closed_loop(
            "persist floor (one INSERT), max",
            port=args.port,
            path=PERSIST_FLOOR_PATH,
            load=load,
            seconds=args.duration,
            concurrency=args.concurrency,
        )
        print(floor.line())
        webhook = run_closed_loop(
            "webhook, max",
            port=args.port,
            path=WEBHOOK_PATH,
            load=load,
            seconds=args.duration,
            concurrency=args.concurrency,
        )
        print(webhook.line())
        worker = _start_urgent_worker(env)
        _wait_until_processed(WebhookEvent, connection, seconds=120)  # the max phase's backlog first
        paced_after = WebhookEvent.objects.filter(connection=connection).order_by("-id").values_list("id", flat=True)
        paced_after = paced_after.first() or 0
        paced = run_fixed_rate(
            f"webhook, {args.rate:.0f} req/s",
            port=args.port,
            path=WEBHOOK_PATH,
            load=load,
            seconds=args.duration,
            rate=args.rate,
            concurrency=max(args.concurrency, 16),
        )
        print(paced.line())
        _wait_until_processed(WebhookEvent, connection, seconds=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if "worker" in locals():
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    lag = _received_to_processed(WebhookEvent, connection, after_id=paced_after)

    stored = WebhookEvent.objects.filter(connection=connection).count() - sent_before
    sent = webhook.sent + paced.sent
    answered = webhook.statuses.get(200, 0) + paced.statuses.get(200, 0)
    share = webhook.rps / floor.rps if floor.rps else float("nan")
    unprocessed = WebhookEvent.objects.filter(
        connection=connection, state__in=[WebhookEvent.State.RECEIVED, WebhookEvent.State.PROCESSING]
    ).count()
    print(f"events sent {sent}, answered 200 {answered}, stored {stored}, left unprocessed {unprocessed}")
    print(
        f"webhook max throughput = {share:.0%} of the persist floor (target >= 75%); the floor is "
        f"{floor.rps / ceiling.rps:.0%} of the ceiling, the webhook {webhook.rps / ceiling.rps:.0%}"
    )
    print(
        f"p99 at {args.rate:.0f} req/s = {paced.percentile(0.99):.2f} ms (target <= 15 ms); "
        f"achieved {paced.rps:.1f} req/s"
    )
    print(
        f"received -> processed at {args.rate:.0f} req/s, {len(lag)} events: p50 {_percentile(lag, 0.5):.0f} ms, "
        f"p99 {_percentile(lag, 0.99):.0f} ms (target p99 <= 1000 ms)"
    )
    connection.delete()
    with db.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PERSIST_FLOOR_TABLE}")
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge(celery_app.conf.task_default_queue)
    ok = (
        stored == sent == answered
        and unprocessed == 0
        and len(lag) == paced.statuses.get(200, 0)
        and share >= 0.75
        and paced.percentile(0.99) <= 15
        and _percentile(lag, 0.99) <= 1000
    )
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
