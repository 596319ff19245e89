"""/health/ and /metrics: how old a heartbeat or a waiting webhook may be, and the metrics token."""

from __future__ import annotations

from pathlib import Path

from .environment import env

# Workers and beat leave a heartbeat every minute (HEARTBEAT_INTERVAL_SECONDS); older than this is down.
HEARTBEAT_INTERVAL_SECONDS = env.int("HEARTBEAT_INTERVAL_SECONDS", default=60)
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=180)
# A webhook event waiting longer than this for a worker makes /health/ fail.
HEALTH_WEBHOOK_MAX_WAIT_SECONDS = env.int("HEALTH_WEBHOOK_MAX_WAIT_SECONDS", default=600)
HEALTH_BROKER_TIMEOUT_SECONDS = env.float("HEALTH_BROKER_TIMEOUT_SECONDS", default=2.0)
# Blank: /metrics is open (keep it behind the private network). Set: scrapers send `Authorization: Bearer ...`.
_metrics_token_file = env.str("METRICS_TOKEN_FILE", default="")
METRICS_TOKEN = (
    Path(_metrics_token_file).read_text().strip() if _metrics_token_file else env.str("METRICS_TOKEN", default="")
)
