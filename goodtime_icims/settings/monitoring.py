"""/health/ and /metrics: how old a heartbeat or a waiting webhook may be, and the metrics token."""

from __future__ import annotations

from .environment import env

# Workers and beat leave a heartbeat every minute (HEARTBEAT_INTERVAL_SECONDS); older than this is down.
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=60)
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=180)
# A webhook event waiting longer than this for a worker makes /health/ fail.
HEALTH_WEBHOOK_MAX_WAIT_SECONDS = env.int("HEALTH_WEBHOOK_MAX_WAIT_SECONDS", default=600)
HEALTH_BROKER_TIMEOUT_SECONDS = env.float("HEALTH_BROKER_TIMEOUT_SECONDS", default=2.0)
# Blank: /metrics is open (keep it behind the private network). Set: scrapers send `Authorization: Bearer ...`.
# Like every variable, it may come from the file METRICS_TOKEN_FILE names.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
