"""How errors look in the OpenAPI schema: one envelope for every status."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorBody",
            fields={
                "code": serializers.CharField(help_text="Stable, machine-readable, e.g. `not_found`."),
                "message": serializers.CharField(help_text="For people; may change."),
                "details": serializers.DictField(
                    help_text="Per-field messages for `invalid`; iCIMS's answer for `icims_*` codes; else empty."
                ),
            },
        )
    },
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


ERROR_RESPONSES = {
    400: _error("`invalid`: a parameter or body field is wrong (details per field)."),
    401: _error("`not_authenticated` or `authentication_failed`: no token, or a bad or revoked one."),
    404: _error("`not_found`: no such object for this token (other tenants' objects are not found either)."),
    429: _error("`throttled`: too many requests for this token; see Retry-After."),
}
WRITE_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    409: _error(
        "`feature_disabled`: the connection has this feature off (the message says which); "
        "`invalid_state`: the request's state does not allow this; "
        "`interview_cancelled`: the interview was cancelled and cannot be changed."
    ),
}
LIVE_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    403: _error("`link_expired`: the resume link is too old; ask for a new one."),
    429: _error("`throttled`, `icims_rate_limited` or `icims_budget_exhausted`: wait for Retry-After."),
    502: _error("`icims_error`, `icims_auth_failed`, `icims_access_denied`: iCIMS refused the call."),
    503: _error("`icims_unavailable`: iCIMS failed or could not be reached; try again."),
}
# A read that may go to iCIMS now (`?live=true`): no resume link, so no 403.
LIVE_READ_ERROR_RESPONSES = {
    **ERROR_RESPONSES,
    404: _error("`not_found`: no such connection for this token, or iCIMS has no such record."),
    429: _error(
        "`throttled`; with `live`: `icims_rate_limited` (iCIMS says wait) or `icims_budget_exhausted` (the "
        "connection's hourly call budget is spent); wait for Retry-After."
    ),
    502: _error("`icims_error`, `icims_auth_failed`, `icims_access_denied`: iCIMS refused the call."),
    503: _error("`icims_unavailable`: iCIMS failed, timed out, could not be reached or is paused; try again."),
}
LIVE_FEATURE_ERROR_RESPONSES = {
    **LIVE_ERROR_RESPONSES,
    409: _error("`feature_disabled`: the connection has this feature off (the message says which)."),
}
