"""Keep heavy admin work off the processes that receive webhooks.

In production the admin runs in its own gunicorn (the `admin` line of the Procfile) and the load
balancer routes `/admin/` there. The `web` processes, which take iCIMS's webhooks and the API, set
`WEB_SERVES_ADMIN=False`: an admin request that reaches them anyway (a routing mistake) is refused
at once instead of tying up a worker an event is waiting for.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class AdminElsewhereMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.WEB_SERVES_ADMIN and request.path.startswith("/admin/"):
            # 421 Misdirected Request: this process is not the one for that URL.
            return HttpResponse(
                "The admin is served by the admin processes; check the load balancer's routing.\n",
                status=421,
                content_type="text/plain",
            )
        return self.get_response(request)
