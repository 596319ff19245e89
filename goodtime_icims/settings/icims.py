"""iCIMS: the platform's own OAuth clients, secrets encryption and the public webhook hosts."""

from __future__ import annotations

from .environment import env

# The integration guide's two client ids ("Grant API Access", option 1) are the defaults.
ICIMS_PLATFORM_CLIENT_ID = env.str("ICIMS_PLATFORM_CLIENT_ID", default="bsSwDDcdy7lDRJbgqPDZkswtSu8TcrUS")
ICIMS_PLATFORM_CLIENT_SECRET = env.str("ICIMS_PLATFORM_CLIENT_SECRET", default="")
ICIMS_PLATFORM_WRITEBACK_CLIENT_ID = env.str(
    "ICIMS_PLATFORM_WRITEBACK_CLIENT_ID", default="UmI31wQb6RXZUYRmUy7wWEjU5PvbFG7x"
)
ICIMS_PLATFORM_WRITEBACK_CLIENT_SECRET = env.str("ICIMS_PLATFORM_WRITEBACK_CLIENT_SECRET", default="")

# Comma-separated Fernet keys; the first encrypts, all decrypt (key rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

# Where iCIMS should POST event notifications, per region (integration guide, "Grant API Access").
# The guide names no Canadian host, so Canada defaults to the US servers.
ICIMS_WEBHOOK_BASE_URLS = {
    "us": env.str("ICIMS_WEBHOOK_BASE_URL_US", default="https://a.goodtime.io"),
    "eu": env.str("ICIMS_WEBHOOK_BASE_URL_EU", default="https://eu.goodtime.io"),
    "ca": env.str("ICIMS_WEBHOOK_BASE_URL_CA", default="https://a.goodtime.io"),
}

# Every iCIMS call: connect and read timeouts (seconds), attempts for what retrying can fix, and the
# circuit breaker (consecutive failures that open it, seconds it stays open).
ICIMS_CONNECT_TIMEOUT = env.float("ICIMS_CONNECT_TIMEOUT", default=5.0)
ICIMS_READ_TIMEOUT = env.float("ICIMS_READ_TIMEOUT", default=30.0)
ICIMS_MAX_ATTEMPTS = env.int("ICIMS_MAX_ATTEMPTS", default=4)
ICIMS_BREAKER_THRESHOLD = env.int("ICIMS_BREAKER_THRESHOLD", default=5)
ICIMS_BREAKER_COOLDOWN = env.float("ICIMS_BREAKER_COOLDOWN", default=60.0)
# Where the shared state (tokens, budgets, breakers, sync locks) keeps its Redis keys.
ICIMS_SHARED_STATE_PREFIX = env.str("ICIMS_SHARED_STATE_PREFIX", default="icims:")
