"""A load generator cheap enough to share two cores with the server it measures.

One thread, non-blocking sockets and epoll (selectors), requests built before the phase starts: per
request the client only connects, sends prebuilt bytes, reads the answer's status line and closes.
gunicorn's sync workers close the connection after each answer, so every request is a new TCP
connection, as it is from iCIMS. The client measures its own CPU (`time.process_time`) so a report
can say how much of the machine it took.

Two shapes: a closed loop (`concurrency` requests always in flight, as fast as the server answers)
and a fixed rate (request i is due at start + i / rate; its latency counts from that moment, so a
stall of the server is not hidden by the generator waiting for it).
"""

from __future__ import annotations

import errno
import selectors
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

READ_SIZE = 65536
ANSWER_TIMEOUT_SECONDS = 10.0
# Requests in flight in the fixed-rate shape at most (file descriptors); later ones wait, and their wait counts.
MAX_IN_FLIGHT = 512


@dataclass
class LoadResult:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, for answered requests
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    client_cpu_seconds: float = 0.0

    @property
    def sent(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else float("nan")

    @property
    def client_cpu_share(self) -> float:
        """The client's CPU as a share of one core over the phase."""
        return self.client_cpu_seconds / self.seconds


def http_post(*, path: str, body: bytes, headers: dict[str, str], host: str = "127.0.0.1") -> bytes:
    """One HTTP/1.1 POST as bytes, ready to send."""
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


class _Request:
    __slots__ = ("due", "payload", "received", "sent", "sock")

    def __init__(self, sock: socket.socket, payload: bytes, due: float) -> None:
        self.sock = sock
        self.payload = payload
        self.due = due
        self.received = bytearray()
        self.sent = False


def _status(answer: bytes) -> int | None:
    # "HTTP/1.1 200 OK": the three digits after the first space.
    try:
        return int(answer[9:12])
    except ValueError:
        return None


def _complete(received: bytearray) -> bool:
    """Whether the whole answer is in: headers end and Content-Length bytes after them."""
    end = received.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = bytes(received[:end]).lower()
    marker = head.find(b"\r\ncontent-length:")
    if marker < 0:
        return False  # read to the close
    line_end = head.find(b"\r\n", marker + 2)
    length = int(head[marker + 17 : line_end if line_end > 0 else None])
    return len(received) >= end + 4 + length


class _Loop:
    def __init__(self, *, address: tuple[str, int], result: LoadResult) -> None:
        self.address = address
        self.result = result
        self.selector = selectors.DefaultSelector()
        self.in_flight = 0

    def start(self, payload: bytes, due: float) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex(self.address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self.result.errors += 1
            return
        self.selector.register(sock, selectors.EVENT_WRITE, _Request(sock, payload, due))
        self.in_flight += 1

    def _end(self, request: _Request, *, failed: bool) -> None:
        self.selector.unregister(request.sock)
        request.sock.close()
        self.in_flight -= 1
        status = None if failed else _status(bytes(request.received[:12]))
        if status is None:
            self.result.errors += 1
            return
        self.result.latencies.append(time.perf_counter() - request.due)
        self.result.statuses[status] = self.result.statuses.get(status, 0) + 1

    def step(self, timeout: float) -> int:
        """Serve ready sockets for up to `timeout` seconds; how many requests finished."""
        finished = 0
        for key, events in self.selector.select(timeout):
            request: _Request = key.data
            try:
                if not request.sent and events & selectors.EVENT_WRITE:
                    request.sock.sendall(request.payload)  # a few hundred bytes: fits the socket buffer
                    request.sent = True
                    self.selector.modify(request.sock, selectors.EVENT_READ, request)
                    continue
                chunk = request.sock.recv(READ_SIZE)
            except OSError:
                self._end(request, failed=True)
                finished += 1
                continue
            if chunk:
                request.received += chunk
                if not _complete(request.received):
                    continue
            self._end(request, failed=not request.received)
            finished += 1
        return finished

    def abandon_late(self, now: float) -> None:
        for key in list(self.selector.get_map().values()):
            if now - key.data.due > ANSWER_TIMEOUT_SECONDS:
                self._end(key.data, failed=True)


def run_closed_loop(
    *, port: int, requests: Iterator[bytes], seconds: float, concurrency: int, host: str = "127.0.0.1"
) -> LoadResult:
    result = LoadResult(seconds)
    loop = _Loop(address=(host, port), result=result)
    cpu_start = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    for _ in range(concurrency):
        loop.start(next(requests), time.perf_counter())
    while loop.in_flight:
        now = time.perf_counter()
        if now >= deadline + ANSWER_TIMEOUT_SECONDS:
            loop.abandon_late(now + ANSWER_TIMEOUT_SECONDS * 2)
            break
        finished = loop.step(0.05)
        if now < deadline:
            now = time.perf_counter()
            for _ in range(finished):
                loop.start(next(requests), now)
        else:
            loop.abandon_late(now)
    result.client_cpu_seconds = time.process_time() - cpu_start
    result.seconds = max(seconds, 1e-9)
    return result


def run_fixed_rate(
    *, port: int, requests: Iterator[bytes], seconds: float, rate: float, host: str = "127.0.0.1"
) -> LoadResult:
    result = LoadResult(seconds)
    loop = _Loop(address=(host, port), result=result)
    total = int(seconds * rate)
    cpu_start = time.process_time()
    start = time.perf_counter() + 0.05
    ticket = 0
    while ticket < total or loop.in_flight:
        now = time.perf_counter()
        while ticket < total and start + ticket / rate <= now and loop.in_flight < MAX_IN_FLIGHT:
            loop.start(next(requests), start + ticket / rate)
            ticket += 1
        next_due = start + ticket / rate if ticket < total else now + 0.05
        loop.step(max(0.0, min(next_due - time.perf_counter(), 0.05)))
        loop.abandon_late(time.perf_counter())
    result.client_cpu_seconds = time.process_time() - cpu_start
    return result


def prebuilt(make: Callable[[], bytes], count: int) -> Iterator[bytes]:
    """`count` requests built now (outside the measured phase), then more built on demand if it runs out."""
    ready = [make() for _ in range(count)]

    def requests() -> Iterator[bytes]:
        yield from ready
        while True:
            yield make()

    return requests()
