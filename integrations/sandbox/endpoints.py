"""One function per iCIMS endpoint the sandbox serves; each returns `(status, headers, body)`.

Interview, feedback and data stream shapes are not published by iCIMS; these follow the shapes
assumed in integrations/icims/ (see the README) and must be confirmed with iCIMS.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from integrations.icims.bins_statuses import BINS_LIST_ID

from . import catalog
from .records import JOB_FIELDS, PERSON_FIELDS, WORKFLOW_FIELDS, render_profile
from .search import DEFAULT_STALENESS_MINUTES, SearchError

Response = tuple[int, dict[str, str], bytes]
_LABELS = {"people": "Person", "jobs": "Job", "applicantworkflows": "Applicant workflow"}
_FIELDS = {"people": PERSON_FIELDS, "jobs": JOB_FIELDS, "applicantworkflows": WORKFLOW_FIELDS}


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_response(status: int, payload: object, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return status, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})}, body


def error(status: int, code: int, message: str) -> Response:
    """iCIMS's error format: the body and the `X-Error: <code>:<detail>` header."""
    return json_response(
        status, {"errors": [{"errorMessage": message, "errorCode": code}]}, {"X-Error": f"{code}:{message}"}
    )


def _record(tenant, entity: str, record_id: str):
    record = tenant.records(entity).get(int(record_id)) if record_id.isdecimal() else None
    if record is None:
        raise ApiError(404, 2, f"{_LABELS[entity]} not found.")
    return record


def token(tenant, request) -> Response:
    form = dict(parse_qsl(request.body.decode(errors="replace")))
    if form.get("grant_type") != "client_credentials":
        return json_response(
            400, {"error": "unsupported_grant_type", "error_description": "Only client_credentials is supported."}
        )
    issued = tenant.credentials.issue_token(
        client_id=form.get("client_id", ""), client_secret=form.get("client_secret", ""), now=tenant.clock.epoch()
    )
    if issued is None:
        return json_response(401, {"error": "access_denied", "error_description": "Unauthorized"})
    return json_response(
        200, {"access_token": issued, "token_type": "Bearer", "expires_in": tenant.credentials.token_expires_in}
    )


def customer(tenant, request, cid: str) -> Response:
    return json_response(
        200,
        {
            "id": cid,
            "name": tenant.name,
            "links": [{"rel": "self", "title": "The current customer.", "url": f"{request.base_url}/customers/{cid}"}],
        },
    )


def profile(tenant, request, cid: str, entity: str, id: str) -> Response:
    record = _record(tenant, entity, id)
    fields = request.query.get("fields")
    wanted = [name.strip().lower() for name in fields.split(",") if name.strip()] if fields else None
    payload = render_profile(record, fields=wanted, api=tenant.links(request.base_url))
    headers = {}
    unknown = sorted(set(wanted or ()) - set(_FIELDS[entity]))
    if unknown:  # iCIMS warns about field names it does not know (code 4) and answers the rest
        # One X-Warning per field; HTTP clients join repeated headers with ", ".
        headers["X-Warning"] = ", ".join(f"4:{name}:The field is not valid or hidden." for name in unknown)
    return json_response(200, payload, headers)


def workflow_patch(tenant, request, cid: str, id: str) -> Response:
    workflow = _record(tenant, "applicantworkflows", id)
    body = request.json()
    status = body.get("status") if isinstance(body, dict) else None
    status_id = status.get("id") if isinstance(status, dict) else None
    if not isinstance(status_id, str):
        raise ApiError(400, 1, 'The field status is required: send {"status": {"id": "<status id>"}}.')
    if status_id not in catalog.STATUS_BY_ID:
        raise ApiError(400, 1, f"The value provided for field status is not valid: {status_id}.")
    # iCIMS notifies for user changes, not for its own API's (unless this sandbox is told to echo them).
    tenant.apply_status_change(workflow.id, status_id, notify=tenant.webhook.echo_api_changes, user_id=None)
    location = f"{request.base_url}/customers/{cid}/applicantworkflows/{workflow.id}"
    return 204, {"Location": location}, b""


def search_records(tenant, request, cid: str, entity: str) -> Response:
    staleness_text = request.query.get("staleness", "")
    staleness = int(staleness_text) if staleness_text.isdecimal() else DEFAULT_STALENESS_MINUTES
    try:
        ids = tenant.search(entity, request.json(), staleness_minutes=staleness)
    except SearchError as exc:
        raise ApiError(400, 1, str(exc)) from None
    base = f"{request.base_url}/customers/{cid}/{entity}"
    return json_response(
        200, {"searchResults": [{"id": record_id, "self": f"{base}/{record_id}"} for record_id in ids]}
    )


def resume(tenant, request, cid: str, id: str) -> Response:
    person = _record(tenant, "people", id)
    if not person.has_resume:
        # iCIMS answers JSON, not a file, with the content type exactly `application/json` (G1 relies on it).
        return 200, {"Content-Type": "application/json"}, b"{}"
    return (
        200,
        {"Content-Type": "application/pdf", "Content-Disposition": f'attachment; filename="resume-{person.id}.pdf"'},
        _pdf(person.full_name),
    )


def _offered_lists(tenant) -> dict:
    if tenant.lists_offer_bins:
        return catalog.LISTS
    return {list_id: nodes for list_id, nodes in catalog.LISTS.items() if list_id != BINS_LIST_ID}


def lists(tenant, request, cid: str) -> Response:
    return json_response(200, {"lists": list(_offered_lists(tenant))})


def list_nodes(tenant, request, cid: str, list_id: str, node_id: str | None = None) -> Response:
    nodes = _offered_lists(tenant).get(list_id)
    if nodes is not None and node_id is not None:
        nodes = catalog.LIST_CHILDREN.get((list_id, node_id))
    if nodes is None:
        raise ApiError(404, 2, "List not found.")
    size = int(request.query["size"]) if request.query.get("size", "").isdecimal() else 1000
    base = f"{request.base_url}/customers/{cid}/v2/lists/{list_id}" + (f"/{node_id}" if node_id else "")
    return json_response(
        200,
        {
            "id": list_id,
            "nodes": [
                {"id": node.id, "value": node.value, "_links": {"self": {"href": f"{base}/{node.id}"}}}
                for node in nodes[: min(size, 1000)]
            ],
            "_links": {"self": {"href": base}},
        },
    )


_INTERVIEW_REQUIRED = ("applicantWorkflowId", "title", "startTime", "endTime")
_INTERVIEW_KEYS = (*_INTERVIEW_REQUIRED, "location", "interviewers", "externalId")


def interview_create(tenant, request, cid: str) -> Response:
    body = _object(request)
    _require(body, _INTERVIEW_REQUIRED)
    _record(tenant, "applicantworkflows", str(body["applicantWorkflowId"]))
    interview = {key: body.get(key) for key in _INTERVIEW_KEYS if key in body}
    interview["id"] = str(len(tenant.interviews) + 5001)
    tenant.interviews[interview["id"]] = interview
    return json_response(201, interview)


def interview_get(tenant, request, cid: str, id: str) -> Response:
    return json_response(200, _interview(tenant, id))


def interview_patch(tenant, request, cid: str, id: str) -> Response:
    interview = _interview(tenant, id)
    body = _object(request)
    interview.update({key: value for key, value in body.items() if key in _INTERVIEW_KEYS})
    return json_response(200, interview)


def interview_delete(tenant, request, cid: str, id: str) -> Response:
    _interview(tenant, id)
    del tenant.interviews[id]
    return 204, {}, b""


def feedback_forms(tenant, request, cid: str) -> Response:
    return json_response(200, {"forms": list(catalog.FEEDBACK_FORMS)})


def feedback_request(tenant, request, cid: str) -> Response:
    body = _object(request)
    _require(body, ("formId", "applicantWorkflowId", "interviewerPersonId"))
    if body["formId"] not in [form["id"] for form in catalog.FEEDBACK_FORMS]:
        raise ApiError(400, 1, f"The value provided for field formId is not valid: {body['formId']}.")
    _record(tenant, "applicantworkflows", str(body["applicantWorkflowId"]))
    feedback = {key: body.get(key) for key in ("formId", "applicantWorkflowId", "interviewerPersonId", "interviewId")}
    feedback["id"] = str(len(tenant.feedback_requests) + 7001)
    tenant.feedback_requests[feedback["id"]] = feedback
    return json_response(201, feedback)


def streams(tenant, request) -> Response:
    return json_response(200, [tenant.stream_id])


def subscriptions(tenant, request, stream: str) -> Response:
    if stream != tenant.stream_id:
        raise ApiError(404, 2, "Stream not found.")
    return json_response(200, [{"subscriptionId": tenant.subscription_id, "streamId": stream, "name": "GoodTime"}])


def stream_events(tenant, request, stream: str, subscription: str) -> Response:
    if (stream, subscription) != (tenant.stream_id, tenant.subscription_id):
        raise ApiError(404, 2, "Subscription not found.")
    events, next_key = tenant.stream_events(exclusive_start_key=request.query.get("exclusiveStartKey"))
    return json_response(200, {"events": events, "lastEvaluatedKey": next_key})


def _interview(tenant, interview_id: str) -> dict:
    interview = tenant.interviews.get(interview_id)
    if interview is None:
        raise ApiError(404, 2, "Interview not found.")
    return interview


def _object(request) -> dict:
    body = request.json()
    if not isinstance(body, dict):
        raise ApiError(400, 1, "The request body must be a JSON object.")
    return body


def _require(body: dict, names: tuple[str, ...]) -> None:
    missing = [name for name in names if body.get(name) in (None, "")]
    if missing:
        raise ApiError(400, 1, f"The field {missing[0]} is required.")


def _pdf(text: str) -> bytes:
    """A tiny but valid one-page PDF naming the person, so clients can store and open it."""
    safe = text.encode("ascii", "replace").decode().replace("(", "[").replace(")", "]")
    stream = f"BT /F1 18 Tf 72 720 Td (Resume of {safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
