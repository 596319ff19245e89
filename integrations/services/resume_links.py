"""Short-lived signed links to a candidate's resume, served through the portal.

The resume lives in iCIMS behind our credentials; the platform gets a link to the portal instead,
signed with SECRET_KEY (TimestampSigner) so it cannot be altered, and valid for a few minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from integrations.models import Connection

_SALT = "integrations.resume-link"


class ResumeLinkExpired(Exception):
    pass


class ResumeLinkInvalid(Exception):
    pass


@dataclass(frozen=True)
class ResumeLink:
    signed: str
    expires_at: datetime


@dataclass(frozen=True)
class ResumeLinkTarget:
    connection: Connection
    candidate_id: int


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def resume_link_sign(*, connection: Connection, candidate_id: int) -> ResumeLink:
    signed = _signer().sign_object({"c": connection.pk, "p": candidate_id})
    return ResumeLink(signed=signed, expires_at=timezone.now() + timedelta(seconds=settings.API_RESUME_LINK_MAX_AGE))


def resume_link_resolve(*, signed: str) -> ResumeLinkTarget:
    """Whose resume a link names; ResumeLinkExpired or ResumeLinkInvalid otherwise."""
    try:
        payload = _signer().unsign_object(signed, max_age=settings.API_RESUME_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ResumeLinkExpired("This resume link has expired; ask the API for a new one.") from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise ResumeLinkInvalid("Not a valid resume link.") from None
    connection = Connection.objects.filter(pk=payload.get("c")).first() if isinstance(payload, dict) else None
    candidate_id = payload.get("p") if isinstance(payload, dict) else None
    if connection is None or not isinstance(candidate_id, int):
        raise ResumeLinkInvalid("Not a valid resume link.")
    return ResumeLinkTarget(connection=connection, candidate_id=candidate_id)
