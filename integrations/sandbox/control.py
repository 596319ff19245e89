"""The sandbox's own small control API, for the demo and live tests (no auth: it binds to loopback)."""

from __future__ import annotations

from datetime import timedelta

from .catalog import bins_and_statuses_csv
from .endpoints import ApiError, Response, json_response


def bins_and_statuses(tenant, request) -> Response:
    headers = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": 'attachment; filename="bins-and-statuses.csv"',
    }
    return 200, headers, bins_and_statuses_csv().encode()


def state(tenant, request) -> Response:
    return json_response(
        200,
        {
            "customerId": tenant.customer_id,
            "now": tenant.clock.now().isoformat(),
            "people": len(tenant.people),
            "jobs": len(tenant.jobs),
            "applicantworkflows": len(tenant.workflows),
            "events": len(tenant.events),
            "allowanceRemaining": tenant.allowance.remaining,
            "webhookUrl": tenant.webhook.url,
        },
    )


def clock_advance(tenant, request) -> Response:
    """Body `{"minutes": 7}` (or seconds/hours/days): move the sandbox clock forward."""
    body = request.json() or {}
    units = {
        unit: body[unit]
        for unit in ("seconds", "minutes", "hours", "days")
        if isinstance(body, dict) and isinstance(body.get(unit), int | float)
    }
    if not units or any(value < 0 for value in units.values()):
        raise ApiError(400, 1, "Send a positive number of seconds, minutes, hours or days.")
    now = tenant.clock.advance(timedelta(**units))
    return json_response(200, {"now": now.isoformat()})


def workflow_status(tenant, request, id: str) -> Response:
    """Body `{"statusId": "C51218", "notify": true}`: a recruiter moves the candidate in iCIMS."""
    body = request.json()
    status_id = body.get("statusId") if isinstance(body, dict) else None
    if not isinstance(status_id, str):
        raise ApiError(400, 1, "The field statusId is required.")
    try:
        tenant.apply_status_change(int(id), status_id, notify=bool(body.get("notify", True)), user_id=None)
    except LookupError as exc:
        raise ApiError(404, 2, str(exc)) from None
    except ValueError as exc:
        raise ApiError(400, 1, str(exc)) from None
    workflow = tenant.workflows[int(id)]
    return json_response(200, {"id": workflow.id, "status": workflow.status.as_json()})
