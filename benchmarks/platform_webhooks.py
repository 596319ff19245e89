"""Outbound webhooks to the scheduling platform, measured with a real urgent worker. Run by hand:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gt_bench REDIS_URL=redis://127.0.0.1:6379/7 \\
        python -m benchmarks.platform_webhooks [--events 2000] [--rate 50] [--duration 30] [--port 8790]

A local receiver (a threaded HTTP server on 127.0.0.1:--port, listed in PLATFORM_WEBHOOK_ALLOWED_HOSTS)
answers 200 to every POST and notes when each event arrived. Two phases:
  1. throughput: `--events` events are stored while no worker runs, then one urgent worker (the
     Procfile's command, `--concurrency` processes) starts; deliveries per second = events / (last
     arrival - first arrival), so the worker's start-up is not counted;
  2. latency: scheduling requests are created at a steady `--rate` for `--duration` seconds, each with
     its `scheduling_request.created` event in the same transaction (as the trigger service does);
     created -> delivered is the request row's `created_at` to the receiver's clock on arrival
     (one machine, one clock). Target: p99 <= 2 s at 50 events/s.
Every event must be delivered exactly once (by webhook-id), or the run fails. It creates a
throw-away connection, stage and endpoint and deletes them (and their rows) at the end; REDIS_URL
should be a database of its own (the queue is purged at the end).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks.worker_process import ROOT, urgent_worker_start, worker_environment


class Arrivals:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at: dict[str, float] = {}  # webhook-id -> first arrival (epoch seconds)
        self.request_ids: dict[int, float] = {}  # scheduling_request_id -> arrival
        self.count: Counter[str] = Counter()

    def note(self, event_id: str, body: bytes) -> None:
        now = time.time()
        data = json.loads(body).get("data", {})
        with self.lock:
            self.count[event_id] += 1
            self.at.setdefault(event_id, now)
            if "scheduling_request_id" in data:
                self.request_ids.setdefault(data["scheduling_request_id"], now)


def serve(arrivals: Arrivals, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver behind a load balancer

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            arrivals.note(self.headers["webhook-id"], body)
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000, help="events queued for the throughput phase")
    parser.add_argument("--rate", type=float, default=50.0, help="scheduling requests per second, latency phase")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the latency phase")
    parser.add_argument("--concurrency", type=int, default=4, help="processes of the one urgent worker")
    parser.add_argument("--port", type=int, default=8790, help="the receiver's port")
    parser.add_argument("--threads", type=int, default=4, help="threads creating scheduling requests")
    args = parser.parse_args()

    env = worker_environment(PLATFORM_WEBHOOK_ALLOWED_HOSTS=f"127.0.0.1:{args.port}")
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from goodtime_icims.celery import app as celery_app
    from integrations.models import (
        Connection,
        PlatformWebhookDelivery,
        PlatformWebhookMessage,
        SchedulingRequest,
        Stage,
    )
    from integrations.services.platform_webhook_endpoints import platform_webhook_endpoint_add
    from integrations.services.platform_webhook_events import (
        SCHEDULING_REQUEST_CREATED,
        platform_webhook_event_emit,
        scheduling_request_event_emit,
    )

    call_command("migrate", verbosity=0)
    arrivals = Arrivals()
    server = serve(arrivals, args.port)
    tag = secrets.token_hex(4)
    connection = Connection.objects.create(name=f"benchmark {tag}", customer_id=f"bench{tag}")
    stage = Stage.objects.create(
        connection=connection, bin="Interview", status="Schedule", status_id=f"C{tag}", triggers_scheduling=True
    )
    endpoint = platform_webhook_endpoint_add(url=f"http://127.0.0.1:{args.port}/hooks").endpoint
    worker = None
    try:
        # 1. throughput: a backlog, then one worker
        started = time.perf_counter()
        for number in range(args.events):
            platform_webhook_event_emit(
                event_type=SCHEDULING_REQUEST_CREATED,
                data={"scheduling_request_id": -number - 1, "workflow_id": str(number)},
                connection_id=connection.pk,
            )
        stored = time.perf_counter() - started
        print(f"stored and queued {args.events} events in {stored:.1f} s ({args.events / stored:.0f}/s, no worker)")
        worker = urgent_worker_start(env, concurrency=args.concurrency)
        if not _wait(lambda: len(arrivals.at) >= args.events, 600):
            print(f"only {len(arrivals.at)} of {args.events} delivered within 10 minutes")
        times = sorted(arrivals.at.values())
        span = times[-1] - times[0] if len(times) > 1 else float("nan")
        throughput = (len(times) - 1) / span if span else float("nan")
        print(
            f"throughput: {len(times)} deliveries in {span:.1f} s = {throughput:.0f} deliveries/s from one urgent "
            f"worker ({args.concurrency} processes), {os.cpu_count()} CPUs shared with PostgreSQL, Redis, receiver"
        )

        # 2. latency at a steady rate, from a few threads so that a slow insert does not hold up the schedule
        created: dict[int, datetime] = {}
        total = int(args.rate * args.duration)
        start = time.perf_counter() + 0.2
        tickets = iter(range(total))
        tickets_lock = threading.Lock()

        def generate() -> None:
            from django.db import connection as thread_db

            while True:
                with tickets_lock:
                    number = next(tickets, None)
                if number is None:
                    break
                time.sleep(max(0.0, start + number / args.rate - time.perf_counter()))
                with transaction.atomic():
                    request = SchedulingRequest.objects.create(
                        connection=connection,
                        workflow_id=f"{tag}-{number}",
                        candidate_id=str(number),
                        job_id="1",
                        trigger_stage=stage,
                    )
                    scheduling_request_event_emit(event_type=SCHEDULING_REQUEST_CREATED, request=request)
                created[request.pk] = request.created_at
            thread_db.close()

        threads = [threading.Thread(target=generate) for _ in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        late = time.perf_counter() - (start + total / args.rate)
        _wait(lambda: all(pk in arrivals.request_ids for pk in created), 120)
        lags = [
            (arrivals.request_ids[pk] - at.timestamp()) * 1000
            for pk, at in created.items()
            if pk in arrivals.request_ids
        ]
        print(
            f"created -> delivered at {args.rate:.0f}/s for {args.duration:.0f} s ({len(lags)} of {total} delivered; "
            f"the generator ended {late * 1000:.0f} ms behind schedule): p50 {_percentile(lags, 0.5):.0f} ms, "
            f"p99 {_percentile(lags, 0.99):.0f} ms, max {max(lags, default=float('nan')):.0f} ms "
            "(target p99 <= 2000 ms)"
        )
        # The receiver has them all; the worker may still be recording the last answers.
        _wait(
            lambda: not PlatformWebhookDelivery.objects.filter(endpoint=endpoint).exclude(state="delivered").exists(),
            30,
        )
    finally:
        if worker is not None:
            os.kill(worker.pid, signal.SIGTERM)  # a warm shutdown: running tasks finish
            worker.wait(timeout=60)
        server.shutdown()

    twice = sum(1 for count in arrivals.count.values() if count > 1)
    expected = args.events + len(created)
    undelivered = PlatformWebhookDelivery.objects.filter(endpoint=endpoint).exclude(state="delivered").count()
    print(f"events {expected}, delivered {len(arrivals.at)}, delivered twice {twice}, rows not delivered {undelivered}")
    PlatformWebhookMessage.objects.filter(connection=connection).delete()
    endpoint.delete()
    SchedulingRequest.objects.filter(connection=connection).delete()  # before the stage they protect
    connection.delete()
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge(celery_app.conf.task_default_queue)
    ok = len(arrivals.at) == expected and not twice and not undelivered
    print(f"checked at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; " + ("OK" if ok else "FAILED"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
