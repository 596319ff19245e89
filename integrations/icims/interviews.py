"""The interview and feedback services: ASSUMED shapes, one adapter, written down here only.

iCIMS has published no interview or feedback API (icims-api.md section 8; DESIGN.md section 7).
The integration guide names the scopes `interview-service:interview:*` and
`biz-collab-feedback-service:*`, so these paths follow those service names. The sandbox tenant
serves exactly these shapes. Confirm them with iCIMS before a customer goes live.

Interviews, base `{api_url}/customers/{cid}/interview-service/v1/interviews`:
    POST   /interviews       {"applicantWorkflowId": "13437", "title": str,
                              "startTime": "2026-11-26T18:00:00Z", "endTime": "2026-11-26T19:00:00Z",
                              "location": str, "interviewers": [{"personId": "9059", "email": str}],
                              "externalId": str}
                             -> 201, the same object plus "id": str
    GET    /interviews/{id}  -> 200, the object
    PATCH  /interviews/{id}  a partial body -> 200, the object
    DELETE /interviews/{id}  -> 204

Feedback, base `{api_url}/customers/{cid}/biz-collab-feedback-service/v1`:
    GET  /forms              -> {"forms": [{"id": str, "name": str}]}
    POST /feedback-requests  {"formId", "applicantWorkflowId", "interviewerPersonId", "interviewId"}
                             -> 201, the object plus "id"

These calls use the connection's write-back credentials. Creating is never retried by the
transport (a timeout may hide a success); the caller re-checks by `externalId` before resending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .config import IcimsConfig
from .transport import IcimsTransport

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Interviewer:
    person_id: str
    email: str = ""


@dataclass(frozen=True)
class InterviewRequest:
    applicant_workflow_id: str
    title: str
    start_time: datetime
    end_time: datetime
    location: str = ""
    interviewers: list[Interviewer] = field(default_factory=list)
    external_id: str = ""

    def as_payload(self) -> dict:
        return {
            "applicantWorkflowId": str(self.applicant_workflow_id),
            "title": self.title,
            "startTime": format_time(self.start_time),
            "endTime": format_time(self.end_time),
            "location": self.location,
            "interviewers": [{"personId": str(p.person_id), "email": p.email} for p in self.interviewers],
            "externalId": self.external_id,
        }


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


class IcimsInterviews:
    def __init__(self, *, config: IcimsConfig, transport: IcimsTransport) -> None:
        self.config = config
        self.transport = transport

    @property
    def _interviews_url(self) -> str:
        return f"{self.config.customer_url}/interview-service/v1/interviews"

    @property
    def _feedback_url(self) -> str:
        return f"{self.config.customer_url}/biz-collab-feedback-service/v1"

    def create_interview(self, interview: InterviewRequest) -> dict:
        """`POST .../interview-service/v1/interviews` (assumed): the created interview, with its `id`."""
        return self.transport.request("POST", self._interviews_url, json=interview.as_payload()).json()

    def get_interview(self, interview_id: str) -> dict:
        """`GET .../interview-service/v1/interviews/{id}` (assumed)."""
        return self.transport.request("GET", f"{self._interviews_url}/{interview_id}").json()

    def update_interview(self, interview_id: str, changes: dict) -> dict:
        """`PATCH .../interview-service/v1/interviews/{id}` (assumed) with the changed keys only.

        Pass payload keys (`startTime`, `title`, ...); datetimes are formatted for you.
        """
        body = {key: format_time(value) if isinstance(value, datetime) else value for key, value in changes.items()}
        return self.transport.request("PATCH", f"{self._interviews_url}/{interview_id}", json=body).json()

    def delete_interview(self, interview_id: str) -> None:
        """`DELETE .../interview-service/v1/interviews/{id}` (assumed)."""
        self.transport.request("DELETE", f"{self._interviews_url}/{interview_id}")

    def get_feedback_forms(self) -> list[dict]:
        """`GET .../biz-collab-feedback-service/v1/forms` (assumed): `[{"id", "name"}]`."""
        return list(self.transport.request("GET", f"{self._feedback_url}/forms").json().get("forms") or [])

    def create_feedback_request(
        self, *, form_id: str, applicant_workflow_id: str, interviewer_person_id: str, interview_id: str
    ) -> dict:
        """`POST .../biz-collab-feedback-service/v1/feedback-requests` (assumed): the request, with its `id`."""
        body = {
            "formId": str(form_id),
            "applicantWorkflowId": str(applicant_workflow_id),
            "interviewerPersonId": str(interviewer_person_id),
            "interviewId": str(interview_id),
        }
        return self.transport.request("POST", f"{self._feedback_url}/feedback-requests", json=body).json()
