"""What may be shown of a stored secret: that it exists, and at most its last four characters."""

from __future__ import annotations

from ..models import SECRET_FIELDS, Connection

MASK = "••••"
# Below this length the last four characters would give away too much of the secret.
SHORTEST_SECRET_WITH_VISIBLE_TAIL = 12


def connection_secret_hint(*, connection: Connection, field: str) -> str:
    """ "••••1234" for a stored secret (just "••••" when it is short), "" when none is stored."""
    if field not in SECRET_FIELDS:
        raise ValueError(f"{field} is not a secret field")
    secret = getattr(connection, field)
    if not secret:
        return ""
    if len(secret) < SHORTEST_SECRET_WITH_VISIBLE_TAIL:
        return MASK
    return MASK + secret[-4:]
