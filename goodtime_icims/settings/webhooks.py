"""Inbound iCIMS event notifications (`POST /v2/ats/webhook/icims`)."""

from __future__ import annotations

from .environment import env

# Larger bodies get 413; the limit holds for the bytes sent and for what they decompress to.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1024 * 1024)
# An HMAC-signed event whose x-icims-date is further than this from our clock is refused (replays).
WEBHOOK_HMAC_TOLERANCE_SECONDS = env.int("WEBHOOK_HMAC_TOLERANCE_SECONDS", default=300)
# Identical events received within the same window collapse into one row.
WEBHOOK_DEDUPE_WINDOW_SECONDS = env.int("WEBHOOK_DEDUPE_WINDOW_SECONDS", default=300)
# The sweeper re-enqueues events left in "received" this long, or in "processing" past the lease.
WEBHOOK_SWEEP_INTERVAL_SECONDS = env.int("WEBHOOK_SWEEP_INTERVAL_SECONDS", default=60)
WEBHOOK_STUCK_RECEIVED_SECONDS = env.int("WEBHOOK_STUCK_RECEIVED_SECONDS", default=120)
WEBHOOK_PROCESSING_LEASE_SECONDS = env.int("WEBHOOK_PROCESSING_LEASE_SECONDS", default=600)
WEBHOOK_SWEEP_BATCH_SIZE = env.int("WEBHOOK_SWEEP_BATCH_SIZE", default=500)
# After this many attempts an event that keeps failing is left "failed" for a person to replay.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)

# The webhook's credentials cache (integrations/webhooks/credentials_cache.py): how long a process trusts
# credentials it checked; a password change or a pause applies at once on every process anyway.
WEBHOOK_CREDENTIALS_CACHE_SECONDS = env.int("WEBHOOK_CREDENTIALS_CACHE_SECONDS", default=30)
# The listener (a thread of every urgent worker): how many new events it hands on per query, and how
# often it looks for new events (one read of a small partial index).
WEBHOOK_LISTEN_BATCH_SIZE = env.int("WEBHOOK_LISTEN_BATCH_SIZE", default=200)
WEBHOOK_LISTEN_POLL_SECONDS = env.float("WEBHOOK_LISTEN_POLL_SECONDS", default=0.1)
# After a wake that found events, the listener looks again no sooner than this: events arriving together
# travel together (one message, one claim per batch) at the cost of at most this much latency.
WEBHOOK_LISTEN_GATHER_SECONDS = env.float("WEBHOOK_LISTEN_GATHER_SECONDS", default=0.05)
# At most this many of one connection's events per processing task (one claim, one load, grouped writes).
WEBHOOK_PROCESS_BATCH_SIZE = env.int("WEBHOOK_PROCESS_BATCH_SIZE", default=50)
