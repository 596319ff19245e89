"""The REST API for the scheduling platform (/api/v1/)."""

from __future__ import annotations

from .environment import env

# Requests per token (DRF rate syntax, e.g. "1200/min"); empty: no limit.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="1200/min")
# Days a new API token stays valid unless its creator says otherwise; 0: new tokens never expire.
API_TOKEN_DEFAULT_EXPIRY_DAYS = env.int("API_TOKEN_DEFAULT_EXPIRY_DAYS", default=365)
# Seconds a resume link stays valid.
API_RESUME_LINK_MAX_AGE = env.int("API_RESUME_LINK_MAX_AGE", default=300)
# Attempts of one iCIMS call during a live lookup: someone is waiting, so fail fast rather than back off long.
API_LIVE_MAX_ATTEMPTS = env.int("API_LIVE_MAX_ATTEMPTS", default=2)
