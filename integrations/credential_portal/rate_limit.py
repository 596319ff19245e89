"""Fixed-window request counts in the shared cache (Redis in production: atomic INCR, shared by every web
process; the file cache of the embedded profile counts approximately, which is enough on one machine)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class WindowCount:
    allowed: bool
    left: int  # hits left in this window after this one
    retry_after: int  # seconds until the window starts again


def rate_limit_hit(*, key: str, limit: int, window_seconds: int, now: float | None = None) -> WindowCount:
    """Count one hit of `key` in the current window and say whether it is within `limit`."""
    now = int(now if now is not None else time.time())
    window_start = now - now % window_seconds
    cache_key = f"credential-link-rate:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=window_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the key expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return WindowCount(
        allowed=count <= limit, left=max(0, limit - count), retry_after=window_start + window_seconds - now
    )
