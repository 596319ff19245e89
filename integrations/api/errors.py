"""Every API error has one shape: `{"error": {"code": "...", "message": "...", "details": {...}}}`.

DRF's own exceptions keep their status and code; a feature the connection has switched off is a
409 `feature_disabled` with the reason; failures of a live iCIMS call become 404 (iCIMS has
no such record), 429 (iCIMS or our budget says wait), 503 (iCIMS unreachable or failing: try again)
or 502 (iCIMS refused the call: retrying will not help). Nothing unexpected leaks a stack trace.
"""

from __future__ import annotations

import logging
import math

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from integrations.icims import errors as icims
from integrations.services.features import FeatureDisabled

logger = logging.getLogger(__name__)


class ApiException(exceptions.APIException):
    """An error this API raises on purpose, with its own code and optional details."""

    def __init__(
        self, message: str, *, code: str | None = None, details: dict | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message, code)
        self.error_code = code or self.default_code
        self.details = details or {}
        if status_code is not None:
            self.status_code = status_code


class Conflict(ApiException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class LinkExpired(ApiException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "link_expired"


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: the one place an exception becomes an API error response."""
    if isinstance(exc, icims.IcimsError):
        return _icims_error_response(exc)
    if isinstance(exc, FeatureDisabled):
        exc = Conflict(exc.reason, code="feature_disabled")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # unexpected: the server error handler answers, without a stack trace

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(math.ceil(exc.wait))
    set_rollback()
    return Response(_body_for(exc), status=exc.status_code, headers=headers)


def _body_for(exc: exceptions.APIException) -> dict:
    if isinstance(exc, ApiException):
        return error_body(exc.error_code, str(exc.detail), exc.details)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_body("invalid", "The request is not valid; see details.", detail)
    detail = exc.detail
    code = exc.default_code
    if isinstance(detail, exceptions.ErrorDetail):
        code = detail.code or code
    return error_body(code, str(detail))


# iCIMS failures, most specific first: (class, HTTP status, code, message).
_ICIMS_ERRORS = (
    (icims.IcimsNotFound, 404, "not_found", "iCIMS has no such record."),
    (icims.IcimsRateLimited, 429, "icims_rate_limited", "iCIMS asked us to slow down; try again later."),
    (
        icims.IcimsBudgetExhausted,
        429,
        "icims_budget_exhausted",
        "This connection's iCIMS call budget is spent for now; try again later.",
    ),
    (icims.IcimsCircuitOpen, 503, "icims_unavailable", "iCIMS has been failing; calls are paused briefly."),
    (icims.IcimsTimeout, 503, "icims_unavailable", "iCIMS did not answer in time; try again."),
    (icims.IcimsConnectionError, 503, "icims_unavailable", "iCIMS could not be reached; try again."),
    (icims.IcimsServerError, 503, "icims_unavailable", "iCIMS failed; try again."),
    (icims.IcimsAuthError, 502, "icims_auth_failed", "iCIMS refused this connection's credentials."),
    (
        icims.IcimsAccessDenied,
        502,
        "icims_access_denied",
        "iCIMS denied access (security rules or IP allow-list of the API user).",
    ),
)


def _icims_error_response(exc: icims.IcimsError) -> Response:
    status_code, code, message = 502, "icims_error", "iCIMS refused the request."
    for error_class, error_status, error_code, error_message in _ICIMS_ERRORS:
        if isinstance(exc, error_class):
            status_code, code, message = error_status, error_code, error_message
            break
    # The iCIMS message and transaction id help support; they hold no secret (the client never puts one there).
    details = {
        "icims_status": exc.status,
        "icims_error_code": exc.error_code,
        "icims_message": exc.message,
        "icims_transaction_id": exc.transaction_id or None,
    }
    details = {key: value for key, value in details.items() if value is not None}
    logger.warning("Live iCIMS lookup failed: %s", exc)
    headers = {}
    if status_code in (429, 503) and exc.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    set_rollback()
    return Response(error_body(code, message, details), status=status_code, headers=headers)


# Django's own handlers, for what never reaches a DRF view: unknown URLs and crashes under /api/.
def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_aware_page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def api_aware_server_error(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", "The portal failed to answer; this was logged."), status=500)
    from django.views.defaults import server_error

    return server_error(request)
