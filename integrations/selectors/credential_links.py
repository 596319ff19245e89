"""What the connection page says about its credential links (never a link itself: only its hash is kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from ..models import Connection, CredentialLink


@dataclass(frozen=True)
class CredentialLinkStatus:
    link: CredentialLink
    state: str  # open, accepted, expired, replaced
    summary: str


def connection_credential_link_status(
    *, connection: Connection, now: datetime | None = None
) -> CredentialLinkStatus | None:
    """The newest link of the connection and its state in words, or None when none was ever made."""
    link = CredentialLink.objects.filter(connection=connection).select_related("created_by").first()
    if link is None:
        return None
    now = now or timezone.now()
    state = link.state(now=now)
    by = f" by {link.created_by.get_username()}" if link.created_by else " from the shell"
    made = f"Link {link.prefix}… made {link.created_at:%Y-%m-%d %H:%M} UTC{by}"
    opened = f", first opened {link.opened_at:%Y-%m-%d %H:%M} UTC" if link.opened_at else ", not opened yet"
    failed = f", {link.failed_tests} failed test(s)" if link.failed_tests else ""
    if state == "accepted":
        summary = f"{made}: credentials received and verified {link.accepted_at:%Y-%m-%d %H:%M} UTC{failed}."
    elif state == "open":
        summary = f"{made}{opened}{failed}; waiting for the customer until {link.expires_at:%Y-%m-%d %H:%M} UTC."
    elif state == "expired":
        summary = f"{made}{opened}{failed}; expired {link.expires_at:%Y-%m-%d %H:%M} UTC unused."
    else:
        summary = f"{made}{opened}{failed}; replaced by a newer link."
    return CredentialLinkStatus(link=link, state=state, summary=summary)
