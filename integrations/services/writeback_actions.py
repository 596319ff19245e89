"""What each write-back action sends to iCIMS, with its checks before and after.

Each sender returns a SendResult (succeeded or skipped) or raises:
- an IcimsError (its `retryable` decides between retry and dead),
- WritebackNotConfirmed: iCIMS took the call but does not show its effect yet (retried),
- WritebackWaiting: it depends on another write-back that has not succeeded yet (retried, not counted),
- WritebackNeedsReview: a create may or may not have reached iCIMS (dead until a person looks).

Creating an interview or a feedback request is the one thing that must never happen twice, and
the (assumed) adapter offers no way to find an interview by our `externalId`. So when a create
times out or loses its connection, the outcome is unknown and the row is marked dead, needing
review, instead of being sent again blindly. A person checks iCIMS and either retries it from the
admin (it was not created) or leaves it dead. The id of a created interview is saved the moment
iCIMS returns it, so a later failure (e.g. of the confirming GET) never leads to a second create.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import requests

from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsConnectionError, IcimsNotFound, IcimsTimeout
from integrations.icims.interviews import Interviewer, InterviewRequest
from integrations.models import SchedulingRequest, Writeback

from .icims_clients import icims_client_for, icims_interviews_for

# Response headers an attempt keeps: iCIMS's request id, rate limits, where a created thing lives.
KEPT_RESPONSE_HEADERS = (
    "x-transaction",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "location",
    "x-error",
    "content-type",
)


class WritebackNotConfirmed(Exception):
    retryable = True


class WritebackWaiting(Exception):
    """Depends on another write-back that has not succeeded yet."""


class WritebackNeedsReview(Exception):
    """The outcome of a create is unknown: sending it again could create it twice."""


@dataclass(frozen=True)
class SendResult:
    state: str
    result: dict = field(default_factory=dict)
    reason: str = ""


class ResponseRecorder:
    """A requests response hook keeping the status and the harmless headers of the last iCIMS API answer."""

    def __init__(self, *, api_url: str) -> None:
        self.api_url = api_url
        self.status: int | None = None
        self.headers: dict[str, str] = {}

    def __call__(self, response: requests.Response, *args, **kwargs) -> requests.Response:
        if response.url.startswith(self.api_url):  # not the token server's answers
            self.status = response.status_code
            self.headers = {name: response.headers[name] for name in KEPT_RESPONSE_HEADERS if name in response.headers}
        return response

    def session(self) -> requests.Session:
        session = requests.Session()
        session.hooks["response"].append(self)
        return session


def _client(writeback: Writeback, recorder: ResponseRecorder):
    # One try per send: the outbox's own schedule does the retrying, not the transport's backoff.
    return icims_client_for(
        connection=writeback.connection, purpose=Purpose.WRITEBACK, session=recorder.session(), max_attempts=1
    )


def _interviews(writeback: Writeback, recorder: ResponseRecorder):
    return icims_interviews_for(
        connection=writeback.connection, purpose=Purpose.WRITEBACK, session=recorder.session(), max_attempts=1
    )


def _result_save(writeback: Writeback, **values) -> None:
    writeback.result = {**writeback.result, **values}
    Writeback.objects.filter(pk=writeback.pk).update(result=writeback.result)


# -- advance status ------------------------------------------------------------------------------
def advance_status_send(*, writeback: Writeback, recorder: ResponseRecorder) -> SendResult:
    """Move the candidate from the trigger status on, but never one whose status has moved on."""
    payload = writeback.payload
    client = _client(writeback, recorder)
    current = _workflow_status(client, payload["workflow_id"])
    if current == payload["to_status_id"]:
        return SendResult(Writeback.State.SUCCEEDED, {"status_id": current})
    if current != payload["from_status_id"]:
        return SendResult(
            Writeback.State.SKIPPED,
            {"status_id": current},
            (
                f"Not advanced: iCIMS shows status {current or 'none'} now, not the trigger status "
                f"{payload['from_status_id']}. A candidate whose status has moved on is never advanced."
            ),
        )
    client.update_applicant_workflow_status(payload["workflow_id"], status_id=payload["to_status_id"])
    confirmed = _workflow_status(client, payload["workflow_id"])
    if confirmed != payload["to_status_id"]:
        raise WritebackNotConfirmed(
            f"iCIMS accepted the status change but shows {confirmed or 'no status'}, not {payload['to_status_id']}."
        )
    return SendResult(Writeback.State.SUCCEEDED, {"status_id": confirmed})


def _workflow_status(client, workflow_id: str) -> str:
    workflow = client.get_applicant_workflow(workflow_id, fields=["status"])
    return str((workflow.get("status") or {}).get("id") or "")


def advance_outcome_record(*, writeback: Writeback) -> None:
    """Tell the scheduling request what became of its auto-advance."""
    if writeback.scheduling_request_id is None:
        return
    payload = writeback.payload
    moves = (
        f"from {payload.get('from_label') or payload['from_status_id']} to "
        f"{payload.get('to_label') or payload['to_status_id']}"
    )
    text = {
        Writeback.State.SUCCEEDED: f"Advanced {moves} (write-back {writeback.pk}).",
        Writeback.State.SKIPPED: f"{writeback.last_error} (write-back {writeback.pk})",
        Writeback.State.DEAD: f"Advance {moves} failed: {writeback.last_error} (write-back {writeback.pk})",
        Writeback.State.RETRYING: f"Advance {moves} is being retried: {writeback.last_error} "
        f"(write-back {writeback.pk})",
    }.get(writeback.state)
    if text:
        SchedulingRequest.objects.filter(pk=writeback.scheduling_request_id).update(advance_outcome=text[:2000])


# -- interviews ----------------------------------------------------------------------------------
def interview_create_send(*, writeback: Writeback, recorder: ResponseRecorder) -> SendResult:
    interviews = _interviews(writeback, recorder)
    interview_id = writeback.result.get("interview_id")
    if not interview_id:
        payload = writeback.payload
        request = InterviewRequest(
            applicant_workflow_id=payload["workflow_id"],
            title=payload["title"],
            start_time=datetime.fromisoformat(payload["start_time"]),
            end_time=datetime.fromisoformat(payload["end_time"]),
            location=payload.get("location", ""),
            interviewers=[
                Interviewer(person_id=i["person_id"], email=i.get("email", "")) for i in payload.get("interviewers", [])
            ],
            external_id=payload["external_id"],
        )
        created = _create_once(lambda: interviews.create_interview(request), what="interview")
        interview_id = str(created.get("id") or "")
        if not interview_id:
            raise WritebackNeedsReview("iCIMS answered the create without an interview id; check iCIMS by hand.")
        _result_save(writeback, interview_id=interview_id)
    interviews.get_interview(interview_id)  # read-after-write: it exists
    return SendResult(Writeback.State.SUCCEEDED, {"interview_id": interview_id})


def interview_update_send(*, writeback: Writeback, recorder: ResponseRecorder) -> SendResult:
    interview_id = interview_id_for(writeback=writeback, external_id=writeback.payload["external_id"])
    updated = _interviews(writeback, recorder).update_interview(interview_id, writeback.payload["changes"])
    return SendResult(Writeback.State.SUCCEEDED, {"interview_id": interview_id, "interview": updated})


def interview_cancel_send(*, writeback: Writeback, recorder: ResponseRecorder) -> SendResult:
    interview_id = interview_id_for(writeback=writeback, external_id=writeback.payload["external_id"])
    interviews = _interviews(writeback, recorder)
    # Already gone is fine: an earlier attempt whose answer we lost, or deleted in iCIMS.
    with contextlib.suppress(IcimsNotFound):
        interviews.delete_interview(interview_id)
    try:
        interviews.get_interview(interview_id)
    except IcimsNotFound:
        return SendResult(Writeback.State.SUCCEEDED, {"interview_id": interview_id})
    raise WritebackNotConfirmed(f"iCIMS still shows interview {interview_id} after deleting it.")


def interview_id_for(*, writeback: Writeback, external_id: str) -> str:
    """The iCIMS id of the interview we created under `external_id`; waits while its create is on its way."""
    create = Writeback.objects.filter(
        connection=writeback.connection,
        action=Writeback.Action.INTERVIEW_CREATE,
        idempotency_key=interview_create_key(connection_id=writeback.connection_id, external_id=external_id),
    ).first()
    if create is None:
        raise WritebackNeedsReview(f"No interview was created under external id {external_id}.")
    if create.state == Writeback.State.SUCCEEDED:
        return create.result["interview_id"]
    if create.state == Writeback.State.DEAD:
        raise WritebackNeedsReview(
            f"Creating the interview {external_id} failed (write-back {create.pk}); there is nothing to change."
        )
    raise WritebackWaiting(f"Waiting for the interview {external_id} to be created (write-back {create.pk}).")


def interview_create_key(*, connection_id: int, external_id: str) -> str:
    return f"interview_create:{connection_id}:{external_id}"


# -- feedback ------------------------------------------------------------------------------------
def feedback_request_send(*, writeback: Writeback, recorder: ResponseRecorder) -> SendResult:
    payload = writeback.payload
    interview_id = interview_id_for(writeback=writeback, external_id=payload["interview_external_id"])
    created = _create_once(
        lambda: _interviews(writeback, recorder).create_feedback_request(
            form_id=payload["form_id"],
            applicant_workflow_id=payload["workflow_id"],
            interviewer_person_id=payload["interviewer_person_id"],
            interview_id=interview_id,
        ),
        what="feedback request",
    )
    return SendResult(
        Writeback.State.SUCCEEDED, {"feedback_request_id": str(created.get("id") or ""), "interview_id": interview_id}
    )


def _create_once(create: Callable[[], dict], *, what: str) -> dict:
    try:
        return create()
    except (IcimsTimeout, IcimsConnectionError) as exc:
        raise WritebackNeedsReview(
            f"The {what} create may have reached iCIMS ({exc}); it is not sent again automatically. Check iCIMS, "
            "then retry it from the admin only if it is not there."
        ) from exc


ACTION_SENDERS: dict[str, Callable[..., SendResult]] = {
    Writeback.Action.ADVANCE_STATUS: advance_status_send,
    Writeback.Action.INTERVIEW_CREATE: interview_create_send,
    Writeback.Action.INTERVIEW_UPDATE: interview_update_send,
    Writeback.Action.INTERVIEW_CANCEL: interview_cancel_send,
    Writeback.Action.FEEDBACK_REQUEST: feedback_request_send,
}
