"""The sandbox over real HTTP: a WSGI app around `tenant.handle`, and a threaded loopback server for it."""

from __future__ import annotations

import logging
import threading
import time
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .access import SandboxTimeout

logger = logging.getLogger(__name__)

_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def make_app(tenant):
    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        base_url = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST') or environ['SERVER_NAME']}"
        path = environ.get("PATH_INFO") or "/"
        try:
            status, response_headers, content = tenant.handle(
                environ["REQUEST_METHOD"], base_url + path, environ.get("QUERY_STRING", ""), headers, body
            )
        except SandboxTimeout as exc:
            time.sleep(exc.seconds)  # the client's own timeout should fire first
            status, response_headers, content = 504, {"Content-Type": "text/plain"}, b"sandbox fault: timeout"
        start_response(
            f"{status} {_REASONS.get(status, 'Unknown')}",
            [*response_headers.items(), ("Content-Length", str(len(content)))],
        )
        return [content]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        logger.info("%s - %s", self.address_string(), format % args)


def make_sandbox_server(tenant, *, host: str = "127.0.0.1", port: int = 8001) -> WSGIServer:
    """A threaded server (port 0 picks a free port; read it from `server.server_port`)."""
    server = make_server(host, port, make_app(tenant), server_class=_ThreadingServer, handler_class=_QuietHandler)
    tenant.base_url = f"http://{host}:{server.server_port}"
    return server


def serve_in_thread(tenant, *, host: str = "127.0.0.1", port: int = 0) -> WSGIServer:
    server = make_sandbox_server(tenant, host=host, port=port)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="icims-sandbox", daemon=True
    ).start()
    return server
