"""iCIMS feedback forms: list them live, and ask an interviewer for feedback through the outbox."""

from __future__ import annotations

from integrations.icims.budget import Purpose
from integrations.models import Connection, SchedulingRequest, Writeback

from .features import FeatureDisabled
from .icims_clients import icims_interviews_for
from .writeback_enqueue import writeback_enqueue


def feedback_require(*, connection: Connection) -> None:
    if not connection.feedback_enabled:
        raise FeatureDisabled(
            f"Feedback forms are off for connection {connection.name}; switch on 'feedback forms' on the connection "
            "first."
        )


def feedback_forms_list(*, connection: Connection) -> list[dict]:
    """The tenant's feedback forms `[{"id", "name"}]`, read live (a person is waiting)."""
    feedback_require(connection=connection)
    return icims_interviews_for(connection=connection, purpose=Purpose.LIVE).get_feedback_forms()


def feedback_request_create(
    *, scheduling_request: SchedulingRequest, form_id: str, interviewer_person_id: str, interview_external_id: str
) -> Writeback:
    """Queue a feedback request for one interviewer of an interview we created (once per form and person)."""
    connection = scheduling_request.connection
    feedback_require(connection=connection)
    for name, value in (
        ("form_id", form_id),
        ("interviewer_person_id", interviewer_person_id),
        ("interview_external_id", interview_external_id),
    ):
        if not value or not str(value).strip():
            raise ValueError(f"{name} is required.")
    return writeback_enqueue(
        connection=connection,
        action=Writeback.Action.FEEDBACK_REQUEST,
        scheduling_request=scheduling_request,
        idempotency_key=(f"feedback_request:{connection.pk}:{interview_external_id}:{interviewer_person_id}:{form_id}"),
        payload={
            "workflow_id": scheduling_request.workflow_id,
            "form_id": str(form_id),
            "interviewer_person_id": str(interviewer_person_id),
            "interview_external_id": str(interview_external_id),
        },
    )
