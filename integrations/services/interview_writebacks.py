"""Interviews booked by the scheduling platform, written back to iCIMS through the outbox.

Each call queues a write-back and returns it; the worker sends it (writeback_send.py). An update or
cancel waits (retrying) until the interview's create has succeeded, since it needs the id iCIMS gave.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.utils import timezone

from integrations.icims.interviews import Interviewer, format_time
from integrations.models import SchedulingRequest, Writeback

from .features import FeatureDisabled
from .writeback_actions import interview_create_key
from .writeback_enqueue import writeback_enqueue

# Our names for what an update may change, and iCIMS's (assumed) names for them.
UPDATABLE_FIELDS = {
    "title": "title",
    "start_time": "startTime",
    "end_time": "endTime",
    "location": "location",
    "interviewers": "interviewers",
}


def interview_sync_require(*, scheduling_request: SchedulingRequest) -> None:
    if not scheduling_request.connection.interview_sync_enabled:
        raise FeatureDisabled(
            f"Interview sync back to iCIMS is off for connection {scheduling_request.connection.name}; "
            "switch on 'interview sync back' on the connection first."
        )


def interview_create(
    *,
    scheduling_request: SchedulingRequest,
    title: str,
    start_time: datetime,
    end_time: datetime,
    location: str,
    interviewers: Iterable[Interviewer | Mapping],
    external_id: str,
) -> Writeback:
    """Queue the interview's creation in iCIMS, once per external id (our interview's id)."""
    interview_sync_require(scheduling_request=scheduling_request)
    if not external_id or not str(external_id).strip():
        raise ValueError("external_id is required: it is how the interview is found again to update or cancel it.")
    if not title or not title.strip():
        raise ValueError("title is required.")
    start_time, end_time = _aware(start_time, "start_time"), _aware(end_time, "end_time")
    if end_time <= start_time:
        raise ValueError("end_time must be after start_time.")
    connection = scheduling_request.connection
    return writeback_enqueue(
        connection=connection,
        action=Writeback.Action.INTERVIEW_CREATE,
        scheduling_request=scheduling_request,
        idempotency_key=interview_create_key(connection_id=connection.pk, external_id=str(external_id)),
        payload={
            "workflow_id": scheduling_request.workflow_id,
            "title": title,
            "start_time": start_time.isoformat(),
            "end_time": end_time.isoformat(),
            "location": location or "",
            "interviewers": interviewers_payload(interviewers),
            "external_id": str(external_id),
        },
    )


class InterviewCancelled(Exception):
    """The interview was cancelled already: it cannot be changed any more."""


def interview_update(*, scheduling_request: SchedulingRequest, external_id: str, changes: Mapping) -> Writeback:
    """Queue a change to the interview created under `external_id`.

    `changes` uses our names (title, start_time, end_time, location, interviewers). Repeating the same
    change right after itself is one write-back; the same change after a different one is a new one.
    """
    interview_sync_require(scheduling_request=scheduling_request)
    unknown = sorted(set(changes) - set(UPDATABLE_FIELDS))
    if unknown or not changes:
        raise ValueError(f"changes may hold {', '.join(UPDATABLE_FIELDS)}; got {', '.join(unknown) or 'nothing'}.")
    body = {}
    for name, value in changes.items():
        if name in ("start_time", "end_time"):
            value = format_time(_aware(value, name))
        elif name == "interviewers":
            value = [{"personId": i["person_id"], "email": i["email"]} for i in interviewers_payload(value)]
        body[UPDATABLE_FIELDS[name]] = value
    connection = scheduling_request.connection
    if Writeback.objects.filter(
        connection=connection, action=Writeback.Action.INTERVIEW_CANCEL, payload__external_id=str(external_id)
    ).exists():
        # Queuing it would only fail later in the outbox, after the caller was told "accepted".
        raise InterviewCancelled(f"The interview {external_id!r} was cancelled; it cannot be changed.")
    latest = (
        Writeback.objects.filter(connection=connection, payload__external_id=str(external_id)).order_by("-pk").first()
    )
    if latest is not None and latest.action == Writeback.Action.INTERVIEW_UPDATE and latest.payload["changes"] == body:
        return latest  # the caller repeated itself
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]
    return writeback_enqueue(
        connection=connection,
        action=Writeback.Action.INTERVIEW_UPDATE,
        scheduling_request=scheduling_request,
        # Keyed on what came before it, so concurrent identical calls collapse but A, B, A is three changes.
        idempotency_key=f"interview_update:{connection.pk}:{external_id}:after-{latest.pk if latest else 0}:{digest}",
        payload={"workflow_id": scheduling_request.workflow_id, "external_id": str(external_id), "changes": body},
    )


def interview_cancel(*, scheduling_request: SchedulingRequest, external_id: str) -> Writeback:
    """Queue the deletion of the interview created under `external_id` (once)."""
    interview_sync_require(scheduling_request=scheduling_request)
    connection = scheduling_request.connection
    return writeback_enqueue(
        connection=connection,
        action=Writeback.Action.INTERVIEW_CANCEL,
        scheduling_request=scheduling_request,
        idempotency_key=f"interview_cancel:{connection.pk}:{external_id}",
        payload={"workflow_id": scheduling_request.workflow_id, "external_id": str(external_id)},
    )


def interviewers_payload(interviewers: Iterable[Interviewer | Mapping]) -> list[dict]:
    people = []
    for interviewer in interviewers:
        if isinstance(interviewer, Interviewer):
            person_id, email = interviewer.person_id, interviewer.email
        else:
            person_id, email = interviewer.get("person_id"), interviewer.get("email", "")
        if not person_id:
            raise ValueError("Every interviewer needs the iCIMS person_id.")
        people.append({"person_id": str(person_id), "email": email or ""})
    return people


def _aware(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime.")
    if timezone.is_naive(moment):
        raise ValueError(f"{name} must carry a time zone (UTC is fine).")
    return moment
