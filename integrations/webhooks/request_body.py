"""Reading an event notification's body: size limits, gzip, JSON, the fields we index.

Every limit holds twice: on the bytes sent and on what they decompress to. Decompression stops
one byte past the limit, so a gzip bomb costs us at most that much memory.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import IO

from integrations.services.webhook_event_ingest import IcimsEvent, payload_canonical_json

from .rejections import malformed, too_large

GZIP_MAGIC = b"\x1f\x8b"
# The JSON keys we copy into columns, and the columns' width.
INDEXED_FIELDS = {
    "system_id": "systemId",
    "person_id": "personId",
    "job_id": "jobId",
    "user_id": "userId",
    "old_status": "oldStatus",
    "new_status": "newStatus",
}
INDEXED_FIELD_MAX_CHARS = 64


def body_stream(*, environ: dict, request_stream: IO[bytes]) -> IO[bytes]:
    """Where the body is: Django reads nothing past a missing Content-Length, so a chunked body
    (`Transfer-Encoding: chunked`, no length) would look empty. A server that has already removed
    the chunk framing and ends the input at the body's end says so with `wsgi.input_terminated`
    (gunicorn does); its `wsgi.input` is then read directly, under the same size limit."""
    if not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
        return environ["wsgi.input"]
    return request_stream


def body_read(*, stream: IO[bytes], content_length: str | None, max_bytes: int) -> bytes:
    """The raw body, refused before reading when its declared length is already too large."""
    try:
        declared = int(content_length or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise too_large(f"Content-Length {declared} is over the {max_bytes}-byte limit.")
    raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise too_large(f"The body is over the {max_bytes}-byte limit.")
    return raw


def body_decompress(*, raw: bytes, content_encoding: str, max_bytes: int) -> bytes:
    encoding = content_encoding.strip().lower()
    if encoding in ("gzip", "x-gzip") or (encoding in ("", "identity") and raw.startswith(GZIP_MAGIC)):
        return _gunzip(raw, max_bytes=max_bytes)
    if encoding in ("", "identity"):
        return raw
    raise malformed(f"Content-Encoding {encoding[:40]!r} is not supported; send gzip or plain JSON.")


def _gunzip(raw: bytes, *, max_bytes: int) -> bytes:
    out = bytearray()
    remaining = raw
    if not remaining:
        raise malformed("The gzip body is empty.")
    while remaining:  # gzip allows several members back to back
        member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            out += member.decompress(remaining, max_bytes + 1 - len(out))
        except zlib.error as exc:
            raise malformed(f"The body is not valid gzip ({exc}).") from None
        if len(out) > max_bytes:
            raise too_large(f"The body decompresses to more than the {max_bytes}-byte limit.")
        if not member.eof:
            raise malformed("The gzip body is truncated.")
        remaining = member.unused_data
    return bytes(out)


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    # 1e999 parses to infinity, which no database stores as JSON.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range")
    return value


def event_parse(*, body: bytes) -> IcimsEvent:
    try:
        payload = json.loads(body, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError) as exc:
        raise malformed(f"The body is not JSON ({type(exc).__name__}).") from None
    if not isinstance(payload, dict):
        raise malformed("The body is JSON but not an object.")
    # PostgreSQL's jsonb refuses NUL characters and lone surrogates: refuse them here, as bad input
    # (a literal backslash-u0000 in a string is refused too; no iCIMS event holds one). The text checked
    # is the one stored and hashed for duplicates: the payload is serialised once.
    try:
        canonical = payload_canonical_json(payload)
        canonical.encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        raise malformed("The body holds text that is not valid Unicode.") from None
    if "\\u0000" in canonical:
        raise malformed("The body holds a NUL character.")
    event_type = _required_id(payload, "eventType", max_chars=100)
    customer_id = _required_id(payload, "customerId", max_chars=32)
    indexed = {column: _optional_id(payload.get(key)) for column, key in INDEXED_FIELDS.items()}
    return IcimsEvent(
        event_type=event_type, customer_id=customer_id, payload=payload, payload_json=canonical, indexed=indexed
    )


def _required_id(payload: dict, key: str, *, max_chars: int) -> str:
    value = payload.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise malformed(f"The event has no {key}.")
    if len(value) > max_chars:
        raise malformed(f"The event's {key} is longer than {max_chars} characters.")
    return value.strip()


def _optional_id(value: object) -> str:
    # iCIMS sends ids as strings; anything else is kept in the payload but not indexed.
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and len(value) <= INDEXED_FIELD_MAX_CHARS:
        return value
    return ""
