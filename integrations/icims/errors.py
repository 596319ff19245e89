"""Typed errors for every way an iCIMS call can fail, each saying whether retrying can help.

iCIMS reports failures by HTTP status, an `X-Error: <code>:<detail>` header and a body
`{"errors": [{"errorMessage": ..., "errorCode": N}]}` (icims-api.md section 11). Error code 3
(RESOURCE_ACCESS_DENIED) comes back as a 404, so "not found" may really be a permissions or
IP allow-list problem: it gets its own class.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

ERROR_CODE_ACCESS_DENIED = 3
AUTH_ERROR_CODES = frozenset({6, 9})


class IcimsError(Exception):
    """Any failed iCIMS call. `retryable` says whether the same call may succeed later."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: int | None = None,
        transaction_id: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.transaction_id = transaction_id
        self.retry_after = retry_after

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_code is not None:
            parts.append(f"iCIMS error code {self.error_code}")
        if self.transaction_id:
            parts.append(f"x-transaction {self.transaction_id}")
        return " | ".join(parts)


class IcimsAuthError(IcimsError):
    """The credentials were refused (HTTP 401, error codes 6 and 9, or the token endpoint said no)."""


class IcimsNotFound(IcimsError):
    """The resource does not exist (HTTP 404, error code 2)."""


class IcimsAccessDenied(IcimsError):
    """iCIMS refused access (error code 3, sent as HTTP 404; or HTTP 403): security rules or IP allow-list."""


class IcimsValidationError(IcimsError):
    """iCIMS rejected the request as malformed (HTTP 400 and other 4xx): fix the request, don't retry."""


class IcimsRateLimited(IcimsError):
    """iCIMS answered 429: every worker of the connection waits `retry_after` seconds."""

    retryable = True


class IcimsServerError(IcimsError):
    """iCIMS failed (HTTP 5xx)."""

    retryable = True


class IcimsTimeout(IcimsError):
    """iCIMS did not answer in time."""

    retryable = True


class IcimsConnectionError(IcimsError):
    """iCIMS could not be reached (DNS, refused connection, TLS)."""

    retryable = True


class IcimsBudgetExhausted(IcimsError):
    """Our own call budget says no for this purpose now; try again after `retry_after` seconds."""

    retryable = True


class IcimsCircuitOpen(IcimsError):
    """Too many consecutive failures: calls to this connection are paused for a cool-down."""

    retryable = True


def parse_error_body(body: bytes) -> tuple[str, int | None]:
    """The first (message, code) of an iCIMS `errors` body, or ("", None) when there is none."""
    try:
        document = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        return "", None
    if not isinstance(document, dict):
        return "", None
    errors = document.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = str(errors[0].get("errorCode", ""))
        return str(errors[0].get("errorMessage", "")), int(code) if code.isdecimal() else None
    error = document.get("error")  # OAuth servers answer {"error": "...", "error_description": "..."}
    if isinstance(error, str):
        return str(document.get("error_description") or error), None
    return "", None


def parse_error_header(value: str) -> tuple[str, int | None]:
    """`X-Error: <code>:<detail>` (or `<code>:<fieldId>:<detail>`) as (detail, code)."""
    code, _, detail = (value or "").partition(":")
    if not code.strip().isdecimal():
        return value or "", None
    return detail.rsplit(":", 1)[-1].strip() if detail.count(":") else detail.strip(), int(code)


def error_for_response(
    *, status: int, headers: Mapping[str, str], body: bytes, transaction_id: str = "", retry_after: float | None = None
) -> IcimsError:
    """The typed error for a failed response."""
    message, code = parse_error_body(body)
    if not message or code is None:
        header_message, header_code = parse_error_header(headers.get("x-error", ""))
        message = message or header_message
        code = code if code is not None else header_code
    message = message or f"iCIMS answered HTTP {status}"
    kwargs = {"status": status, "error_code": code, "transaction_id": transaction_id, "retry_after": retry_after}
    if status == 401 or code in AUTH_ERROR_CODES:
        return IcimsAuthError(message, **kwargs)
    if code == ERROR_CODE_ACCESS_DENIED or status == 403:
        return IcimsAccessDenied(message, **kwargs)
    if status == 404:
        return IcimsNotFound(message, **kwargs)
    if status == 429:
        return IcimsRateLimited(message, **kwargs)
    if status >= 500:
        return IcimsServerError(message, **kwargs)
    return IcimsValidationError(message, **kwargs)
