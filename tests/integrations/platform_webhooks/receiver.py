"""The scheduling platform's side in tests: a real HTTP server on 127.0.0.1 that records each POST and
answers the statuses it is told to (then 200), and verifies signatures as a receiver would."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.celery_workers import free_port

# Ports of this suite's own servers (one range per engineer on the shared machine; any free one in it).
RECEIVER_PORTS = (8700, 8799)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    status: int


@dataclass
class Receiver:
    port: int
    answers: list[int] = field(default_factory=list)  # statuses to answer, in order; then 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/goodtime/webhooks"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def answer_next(self) -> int:
        with self.lock:
            return self.answers.pop(0) if self.answers else 200


def serve_receiver(*, answers: list[int] | None = None) -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(port=free_port(low=RECEIVER_PORTS[0], high=RECEIVER_PORTS[1]), answers=list(answers or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = receiver.answer_next()
            with receiver.lock:
                receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body, status))
            reply = b'{"ok": true}' if status < 300 else b'{"error": "try later"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", receiver.port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
