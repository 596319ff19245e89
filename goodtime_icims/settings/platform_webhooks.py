"""Outbound webhooks to the scheduling platform (Standard Webhooks signatures, see README)."""

from __future__ import annotations

from .environment import env

# Endpoints must be HTTPS on a public address, unless listed here as host:port (a host without a port:
# any port). Development and tests list the local receiver, e.g. `127.0.0.1:8700`.
PLATFORM_WEBHOOK_ALLOWED_HOSTS = env.list("PLATFORM_WEBHOOK_ALLOWED_HOSTS", default=[])
# A slow receiver must not hold an urgent worker: connect and read timeouts, in seconds.
PLATFORM_WEBHOOK_CONNECT_TIMEOUT = env.float("PLATFORM_WEBHOOK_CONNECT_TIMEOUT", default=3.0)
PLATFORM_WEBHOOK_READ_TIMEOUT = env.float("PLATFORM_WEBHOOK_READ_TIMEOUT", default=10.0)
# Seconds before each retry of a failed delivery: exponential, about 3 days and 3 hours in all.
PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS = tuple(
    env.list(
        "PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS",
        cast=float,
        default=[5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 86400],
    )
)
# An endpoint whose deliveries failed this many times in a row, for at least this long, is disabled
# (and an alert opens); a success resets both.
PLATFORM_WEBHOOK_DISABLE_AFTER_FAILURES = env.int("PLATFORM_WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
PLATFORM_WEBHOOK_DISABLE_AFTER_SECONDS = env.int("PLATFORM_WEBHOOK_DISABLE_AFTER_SECONDS", default=3 * 24 * 3600)
# How often the beat entry sends due retries and rescues deliveries a lost worker held.
PLATFORM_WEBHOOK_SWEEP_INTERVAL_SECONDS = env.int("PLATFORM_WEBHOOK_SWEEP_INTERVAL_SECONDS", default=60)
# A delivery "delivering" for longer than this lost its worker (well over both timeouts).
PLATFORM_WEBHOOK_DELIVERING_LEASE_SECONDS = env.int("PLATFORM_WEBHOOK_DELIVERING_LEASE_SECONDS", default=120)
PLATFORM_WEBHOOK_SWEEP_BATCH_SIZE = env.int("PLATFORM_WEBHOOK_SWEEP_BATCH_SIZE", default=500)
