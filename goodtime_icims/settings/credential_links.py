"""One-time credential links, where a customer enters its own iCIMS client id and secret (see README)."""

from __future__ import annotations

from .environment import env

# Hours a new link stays valid unless its creator says otherwise.
CREDENTIAL_LINK_DEFAULT_EXPIRY_HOURS = env.int("CREDENTIAL_LINK_DEFAULT_EXPIRY_HOURS", default=72)
# The longest a link may be made to last (hours): a forgotten link should not stay usable for months.
CREDENTIAL_LINK_MAX_EXPIRY_HOURS = env.int("CREDENTIAL_LINK_MAX_EXPIRY_HOURS", default=14 * 24)
# Requests to credential link pages (open or submit, any link) per client address per 10 minutes.
CREDENTIAL_LINK_REQUESTS_PER_ADDRESS = env.int("CREDENTIAL_LINK_REQUESTS_PER_ADDRESS", default=30)
# Credential tests (each asks iCIMS for a token) per link per hour.
CREDENTIAL_LINK_TESTS_PER_LINK = env.int("CREDENTIAL_LINK_TESTS_PER_LINK", default=5)
