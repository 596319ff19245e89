"""Open a scheduling request (the scheduling platform took it on), and auto-advance the candidate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.models import SchedulingRequest, Writeback

from .platform_webhook_events import SCHEDULING_REQUEST_UPDATED, RequestChange, scheduling_request_event_emit
from .scheduling_request_state import SchedulingRequestStateError, scheduling_request_lock
from .writeback_enqueue import writeback_enqueue


def scheduling_request_open(*, scheduling_request: SchedulingRequest) -> SchedulingRequest:
    """pending -> opened; opening an opened request again changes nothing.

    With auto-advance on and an advance-to status on the trigger stage, an advance_status write-back
    is queued. Its send checks again that iCIMS still shows the trigger status, and records on the
    request (advance_outcome) what happened. Otherwise advance_outcome says why nothing was advanced.
    """
    with transaction.atomic():
        request = scheduling_request_lock(scheduling_request)
        if request.state == SchedulingRequest.State.OPENED:
            return request
        if request.state != SchedulingRequest.State.PENDING:
            raise SchedulingRequestStateError(
                f"Scheduling request {request.pk} is {request.state}; only a pending request can be opened."
            )
        request.state = SchedulingRequest.State.OPENED
        request.opened_at = timezone.now()
        request.advance_outcome = _advance(request)
        request.save(update_fields=["state", "opened_at", "advance_outcome", "updated_at"])
        scheduling_request_event_emit(
            event_type=SCHEDULING_REQUEST_UPDATED, request=request, change=RequestChange.OPENED
        )
    return request


def _advance(request: SchedulingRequest) -> str:
    connection, stage = request.connection, request.trigger_stage
    target = stage.advance_to
    if not connection.auto_advance_enabled:
        return f"Auto-advance is off for this connection; the candidate stays at {stage}."
    if target is None:
        return f"Stage {stage} has no advance-to status; nothing to advance."
    if not target.status_id or not target.is_active:
        return (
            f"The advance-to status {target} of stage {stage} has no status id or is no longer active; "
            "import the stages again."
        )
    writeback = writeback_enqueue(
        connection=connection,
        action=Writeback.Action.ADVANCE_STATUS,
        scheduling_request=request,
        # One advance per round: a reopened request (a new last event) may advance again.
        idempotency_key=(
            f"advance_status:{connection.pk}:{request.pk}:{request.last_event_id or 'manual'}:"
            f"{stage.status_id}->{target.status_id}"
        ),
        payload={
            "workflow_id": request.workflow_id,
            "from_status_id": stage.status_id,
            "to_status_id": target.status_id,
            "from_label": str(stage),
            "to_label": str(target),
        },
    )
    return f"Advance from {stage} to {target} queued (write-back {writeback.pk})."
