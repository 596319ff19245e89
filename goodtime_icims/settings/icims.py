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

# Hosts a secret or token may be sent to (integrations/icims/destinations.py): names, `.domain`s, optional
# `:port`. Plain http and address literals only for hosts listed by exact name (a development sandbox).
ICIMS_ALLOWED_HOSTS = env.list("ICIMS_ALLOWED_HOSTS", default=[".icims.com", ".icims.eu", ".icims.ca", ".icims.tools"])

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
# A timed-out call counts this many failures towards the breaker: a host that does not answer costs a
# whole read timeout per call, so its breaker opens after fewer of them than after quick 5xx answers.
ICIMS_BREAKER_TIMEOUT_FAILURES = env.int("ICIMS_BREAKER_TIMEOUT_FAILURES", default=2)
# The urgent lane (webhook processing, live lookups: someone is waiting) gives iCIMS less time. A call
# it times out hands the work to the sync workers with the timeouts above (urgent_lane.py), so a slow or
# unreachable tenant costs an urgent slot at most one of these timeouts at a time.
ICIMS_URGENT_CONNECT_TIMEOUT = env.float("ICIMS_URGENT_CONNECT_TIMEOUT", default=3.0)
ICIMS_URGENT_READ_TIMEOUT = env.float("ICIMS_URGENT_READ_TIMEOUT", default=5.0)
# Where the shared state (tokens, budgets, breakers, sync locks) keeps its Redis keys.
ICIMS_SHARED_STATE_PREFIX = env.str("ICIMS_SHARED_STATE_PREFIX", default="icims:")
