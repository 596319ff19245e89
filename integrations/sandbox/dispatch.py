"""The HTTP face of the tenant: routes, auth, the daily allowance, faults and iCIMS-shaped errors.

`dispatch` takes a request as plain values and returns `(status, headers, body)`, so the in-process
(`responses`) and served (WSGI) sandboxes behave identically.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, urlsplit

from . import control, endpoints
from .access import SandboxTimeout

Response = endpoints.Response

_CUSTOMER = r"/customers/(?P<cid>[^/]+)"
_STREAMS = r"/datastream/v2/streams"
API_ROUTES: list[tuple[str, re.Pattern, Callable]] = [
    (method, re.compile(pattern + r"/?$"), handler)
    for method, pattern, handler in [
        ("GET", _CUSTOMER, endpoints.customer),
        ("GET", _CUSTOMER + r"/(?P<entity>people|jobs|applicantworkflows)/(?P<id>[^/]+)", endpoints.profile),
        ("PATCH", _CUSTOMER + r"/applicantworkflows/(?P<id>[^/]+)", endpoints.workflow_patch),
        ("POST", _CUSTOMER + r"/search/(?P<entity>people|jobs|applicantworkflows)", endpoints.search_records),
        ("GET", _CUSTOMER + r"/people/(?P<id>[^/]+)/fields/resume/binary", endpoints.resume),
        ("GET", _CUSTOMER + r"/v2/lists", endpoints.lists),
        ("GET", _CUSTOMER + r"/v2/lists/(?P<list_id>[^/]+)", endpoints.list_nodes),
        ("GET", _CUSTOMER + r"/v2/lists/(?P<list_id>[^/]+)/(?P<node_id>[^/]+)", endpoints.list_nodes),
        ("POST", _CUSTOMER + r"/interview-service/v1/interviews", endpoints.interview_create),
        ("GET", _CUSTOMER + r"/interview-service/v1/interviews/(?P<id>[^/]+)", endpoints.interview_get),
        ("PATCH", _CUSTOMER + r"/interview-service/v1/interviews/(?P<id>[^/]+)", endpoints.interview_patch),
        ("DELETE", _CUSTOMER + r"/interview-service/v1/interviews/(?P<id>[^/]+)", endpoints.interview_delete),
        ("GET", _CUSTOMER + r"/biz-collab-feedback-service/v1/forms", endpoints.feedback_forms),
        ("POST", _CUSTOMER + r"/biz-collab-feedback-service/v1/feedback-requests", endpoints.feedback_request),
        ("GET", _STREAMS, endpoints.streams),
        ("GET", _STREAMS + r"/(?P<stream>[^/]+)/subscriptions", endpoints.subscriptions),
        ("GET", _STREAMS + r"/(?P<stream>[^/]+)/subscriptions/(?P<subscription>[^/]+)/events", endpoints.stream_events),
    ]
]
CONTROL_ROUTES: list[tuple[str, re.Pattern, Callable]] = [
    ("POST", re.compile(r"/oauth/token/?$"), endpoints.token),
    ("GET", re.compile(r"/sandbox/export/bins-and-statuses\.csv$"), control.bins_and_statuses),
    ("GET", re.compile(r"/sandbox/state/?$"), control.state),
    ("POST", re.compile(r"/sandbox/clock/advance/?$"), control.clock_advance),
    ("POST", re.compile(r"/sandbox/workflows/(?P<id>\d+)/status/?$"), control.workflow_status),
]


class Request:
    def __init__(self, *, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, base_url: str):
        self.method = method.upper()
        self.path = path
        self.query_string = query
        self.query = dict(parse_qsl(query, keep_blank_values=True))
        self.headers = {name.lower(): value for name, value in headers.items()}
        self.body = body
        self.base_url = base_url

    def json(self) -> object:
        try:
            return json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise endpoints.ApiError(400, 1, "The request body is not valid JSON.") from None


def dispatch(
    tenant, *, method: str, url: str, query: str | Mapping[str, str] | None, headers: Mapping[str, str], body: bytes
) -> Response:
    parts = urlsplit(url)
    path = parts.path or "/"
    if query is None:
        query = parts.query
    elif not isinstance(query, str):
        query = "&".join(f"{key}={value}" for key, value in query.items())
    base_url = f"{parts.scheme}://{parts.netloc}" if parts.netloc else tenant.base_url
    request = Request(method=method, path=path, query=query, headers=headers, body=body or b"", base_url=base_url)
    transaction = {"x-transaction": "{" + str(uuid.uuid4()).upper() + "}"}

    for route_method, pattern, handler in CONTROL_ROUTES:
        match = pattern.match(path)
        if match and route_method == request.method:
            fault = tenant.faults.take(path) if handler is endpoints.token else None
            if fault is not None:
                return _fault_response(fault, transaction)
            status, response_headers, response_body = _call(handler, tenant, request, match)
            return status, {**response_headers, **transaction}, response_body

    matched = [
        (route_method, handler, match)
        for route_method, pattern, handler in API_ROUTES
        if (match := pattern.match(path))
    ]
    if not matched:
        return _with(endpoints.error(404, 2, "Resource not found."), transaction)
    fault = tenant.faults.take(path)
    if fault is not None:
        return _fault_response(fault, {**transaction, **tenant.allowance.headers()})
    if not tenant.credentials.authorizes(
        method=request.method,
        path=path,
        query=query,
        headers=request.headers,
        body=request.body,
        now=tenant.clock.epoch(),
    ):
        return _with(
            endpoints.error(401, 6, "Invalid Username or Password credentials provided."),
            {**transaction, **tenant.allowance.headers()},
        )
    allowed = [(handler, match) for route_method, handler, match in matched if route_method == request.method]
    if not allowed:
        return _with(
            endpoints.error(405, 0, f"Method {request.method} is not supported here."),
            {**transaction, **tenant.allowance.headers()},
        )
    handler, match = allowed[0]
    if match.groupdict().get("cid", tenant.customer_id) != tenant.customer_id:
        return _with(
            endpoints.error(404, 3, "You do not have access to this customer."),
            {**transaction, **tenant.allowance.headers()},
        )
    if not tenant.allowance.take():
        limited = endpoints.error(429, 0, "The daily API request limit has been reached.")
        return _with(
            limited,
            {**transaction, **tenant.allowance.headers(), "Retry-After": str(tenant.clock.seconds_until_midnight())},
        )
    response = _call(handler, tenant, request, match)
    return _with(response, {**transaction, **tenant.allowance.headers()})


def _call(handler: Callable, tenant, request: Request, match: re.Match) -> Response:
    try:
        return handler(tenant, request, **match.groupdict())
    except endpoints.ApiError as exc:
        return endpoints.error(exc.status, exc.code, exc.message)


def _with(response: Response, headers: dict[str, str]) -> Response:
    status, response_headers, body = response
    return status, {**response_headers, **headers}, body


def _fault_response(fault, headers: dict[str, str]) -> Response:
    if fault.kind == "timeout":
        raise SandboxTimeout(fault.seconds)
    if fault.kind == "rate_limit":
        return _with(
            endpoints.error(fault.status, 0, "Too many requests."), {**headers, "Retry-After": str(fault.retry_after)}
        )
    return _with(endpoints.error(fault.status, 0, "Service temporarily unavailable."), headers)
