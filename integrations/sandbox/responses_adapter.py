"""The sandbox in-process: every request to its base URL, whatever the method, goes to `tenant.handle`."""

from __future__ import annotations

import re

import requests
import responses

from .access import SandboxTimeout


class _AnyMethodCallback(responses.CallbackResponse):
    """One registration for every method, so `assert_all_requests_are_fired` sees one route, not five."""

    def matches(self, request):
        if not self._url_matches(self.url, str(request.url)):
            return False, "URL does not match"
        return True, ""


def install(tenant, rsps: responses.RequestsMock, *, base_url: str | None = None) -> None:
    base = (base_url or tenant.base_url).rstrip("/")
    tenant.base_url = base

    def callback(request):
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):  # a file-like or generator body
            body = b"".join(body)
        try:
            status, headers, content = tenant.handle(request.method, request.url, None, dict(request.headers), body)
        except SandboxTimeout as exc:
            raise requests.exceptions.ReadTimeout(str(exc), request=request) from None
        return status, headers, content

    rsps.add(_AnyMethodCallback(method="GET", url=re.compile(re.escape(base) + r"(/.*)?$"), callback=callback))
