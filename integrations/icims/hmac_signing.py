"""The `x-icims-v1-hmac-sha256` scheme, for requests we sign and event notifications we verify.

iCIMS documents the header form (icims-api.md section 1.2, S6); the canonicalisation below follows
the one public implementation that worked against iCIMS (G3) and is an assumption to confirm with
iCIMS: signed headers `content-type;host;x-icims-content-sha256;x-icims-date`, the content hash
over the body bytes exactly as sent (compressed bytes when gzip'd), and

    canonical request = METHOD \\n path \\n query \\n name:value lines (signed order) \\n \\n signed names
    string to sign    = x-icims-v1-hmac-sha256 \\n date \\n hex(sha256(canonical request))
    signature         = hex(hmac_sha256(key, string to sign))
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

ALGORITHM = "x-icims-v1-hmac-sha256"
SIGNED_HEADERS = ("content-type", "host", "x-icims-content-sha256", "x-icims-date")
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

_AUTHORIZATION = re.compile(
    rf"^{ALGORITHM}\s+user=(?P<user>[^,\s]+)\s*,\s*signedheaders=(?P<signed>[^,\s]+)\s*,\s*signature=(?P<sig>[0-9a-f]{{64}})\s*$"
)


@dataclass(frozen=True)
class ParsedAuthorization:
    user: str
    signed_headers: tuple[str, ...]
    signature: str


def content_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def format_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def parse_date(value: str) -> datetime:
    return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)


def _signature(
    *, key: str, method: str, path: str, query: str, headers: Mapping[str, str], signed_headers: tuple[str, ...]
) -> str:
    lower = {name.lower(): value for name, value in headers.items()}
    header_lines = [f"{name}:{lower.get(name, '').strip()}" for name in signed_headers]
    canonical = "\n".join([method.upper(), path, query, *header_lines, "", ";".join(signed_headers)])
    string_to_sign = "\n".join([ALGORITHM, lower.get("x-icims-date", ""), content_sha256(canonical.encode())])
    return hmac.new(key.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


def signed_headers_for(
    *, key: str, user: str, method: str, host: str, path: str, query: str, body: bytes, content_type: str, now: datetime
) -> dict[str, str]:
    """The headers that authenticate one request: add them to the request as they are."""
    headers = {
        "content-type": content_type,
        "host": host,
        "x-icims-content-sha256": content_sha256(body),
        "x-icims-date": format_date(now),
    }
    signature = _signature(
        key=key, method=method, path=path, query=query, headers=headers, signed_headers=SIGNED_HEADERS
    )
    # Comma AND space between the parts, as the one client that worked against iCIMS writes it (G3).
    headers["authorization"] = (
        f"{ALGORITHM} user={user}, signedheaders={';'.join(SIGNED_HEADERS)}, signature={signature}"
    )
    return headers


def parse_authorization(value: str) -> ParsedAuthorization | None:
    match = _AUTHORIZATION.match(value.strip())
    if match is None:
        return None
    return ParsedAuthorization(match["user"], tuple(match["signed"].split(";")), match["sig"])


def signature_matches(
    *,
    key: str,
    authorization: ParsedAuthorization,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> bool:
    """True when the signature is right for this key and the body matches its declared hash.

    Compared in constant time. Checking the date's freshness is the caller's job (it knows the clock).
    """
    lower = {name.lower(): value for name, value in headers.items()}
    if not set(SIGNED_HEADERS) <= set(authorization.signed_headers):
        return False
    if not hmac.compare_digest(lower.get("x-icims-content-sha256", ""), content_sha256(body)):
        return False
    expected = _signature(
        key=key, method=method, path=path, query=query, headers=lower, signed_headers=authorization.signed_headers
    )
    return hmac.compare_digest(expected, authorization.signature)
