"""The client's address, as far as this deployment can trust it (for lockouts and the sign-in log)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The TCP peer, or with TRUSTED_PROXY_COUNT proxies in front, the address the outermost one saw.

    Only entries our own proxies appended are trusted: anything further left was written by the client.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
