"""Send raw HTTP bytes through gunicorn's own request parser into the Django application.

This is what gunicorn hands Django, built by gunicorn's code (`RequestParser` and `wsgi.create`), not
by hand: for a chunked body, no CONTENT_LENGTH, a `wsgi.input` that removes the chunk framing and
`wsgi.input_terminated`. It runs in the test's process, so the test database is the one it writes to;
Django's test ClientHandler takes that environ as it is (it only keeps the test's database connection
open, which a plain WSGIHandler would close at the end of the request).
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass

from django.test.client import ClientHandler
from gunicorn.config import Config
from gunicorn.http import RequestParser
from gunicorn.http import wsgi as gunicorn_wsgi

CLIENT = ("127.0.0.1", 40000)
SERVER = ("127.0.0.1", 8000)


@dataclass
class GunicornResponse:
    status_code: int
    content: bytes

    def json(self):
        return json.loads(self.content)


def chunked(body: bytes, *, chunk_size: int = 1000) -> bytes:
    """The body in `Transfer-Encoding: chunked` framing, ending with the zero-length chunk."""
    chunks = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


def post_through_gunicorn(path: str, *, headers: dict[str, str], framed_body: bytes) -> GunicornResponse:
    head = f"POST {path} HTTP/1.1\r\nHost: testserver\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    cfg = Config()
    request = next(RequestParser(cfg, iter([head.encode("latin-1") + b"\r\n" + framed_body]), CLIENT))
    ours, _theirs = socket.socketpair()
    try:
        _, environ = gunicorn_wsgi.create(request, ours, CLIENT, SERVER, cfg)
        response = ClientHandler()(environ)
    finally:
        ours.close()
        _theirs.close()
    return GunicornResponse(status_code=response.status_code, content=response.content)
