"""A status change in iCIMS, turned into (at most) one scheduling request per applicant workflow.

The event only says that something changed: the workflow is read again from iCIMS and its current
status decides (icims-api.md section 9: never trust `newStatus`). The status maps to the
connection's active stage with that status id; a trigger stage opens scheduling, depending on the
connection's trigger mode (off, shadow, live).

Re-triggers, for a workflow that already has a request:
- pending or opened: a duplicate notification refreshes `last_event`; a different trigger stage
  (the next interview round) moves the request to it and back to pending;
- scheduled or cancelled: an event received after that happened means the recruiter moved the
  candidate into a trigger status again, so the request is reopened as pending (a new round);
  an event received before it is stale and changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.icims.errors import IcimsAccessDenied, IcimsError, IcimsNotFound
from integrations.models import Connection, HourlyActivity, SchedulingRequest, Stage, WebhookEvent
from sync.services.mirror_profiles_ensure import mirror_profiles_ensure

from .hourly_activity_record import hourly_activity_record
from .platform_webhook_events import (
    SCHEDULING_REQUEST_CREATED,
    SCHEDULING_REQUEST_UPDATED,
    RequestChange,
    scheduling_request_event_emit,
)
from .webhook_event_batch import WebhookEventBatch

logger = logging.getLogger(__name__)

WORKFLOW_FIELDS = ("status", "baseprofile", "associatedprofile")
# The words an outcome uses for a status id the connection has no active stage for (the health service counts them).
NOT_A_STAGE = "which is not an active stage of this connection"


@dataclass(frozen=True)
class TriggerResult:
    state: str  # the WebhookEvent state the event ends in
    outcome: str


def scheduling_request_trigger(*, event: WebhookEvent, batch: WebhookEventBatch | None = None) -> TriggerResult:
    """Read the workflow the event names and open, refresh or reopen its scheduling request.

    Retryable iCIMS errors propagate, so the event goes back to the sweeper; errors retrying cannot fix
    (no such workflow, access denied, refused credentials) fail the event with the reason. `batch`: what
    the events processed together share (the iCIMS client, stage look-ups).
    """
    batch = batch or WebhookEventBatch()
    connection = event.connection
    workflow_id = event.system_id
    if not workflow_id:
        return TriggerResult(WebhookEvent.State.FAILED, "The event names no applicant workflow (no systemId).")
    client = batch.icims_client(connection)
    try:
        workflow = client.get_applicant_workflow(workflow_id, fields=WORKFLOW_FIELDS)
    except (IcimsNotFound, IcimsAccessDenied) as exc:
        return TriggerResult(
            WebhookEvent.State.FAILED,
            (
                f"iCIMS does not show applicant workflow {workflow_id} to this connection ({exc}). It was deleted, "
                "or the API user may not read it (security rules or IP allow-list)."
            ),
        )
    except IcimsError as exc:
        if exc.retryable:
            raise
        return TriggerResult(WebhookEvent.State.FAILED, f"Reading applicant workflow {workflow_id} failed: {exc}")

    status = workflow.get("status") or {}
    status_id = str(status.get("id") or "")
    status_label = f"{status.get('value') or 'unnamed status'} ({status_id or 'no id'})"
    stage = batch.active_stage(connection, status_id) if status_id else None
    if stage is None:
        return TriggerResult(
            WebhookEvent.State.PROCESSED,
            (
                f"Workflow {workflow_id} is at {status_label}, {NOT_A_STAGE}. "
                "Were the stages imported (with status ids)? Import them, then replay this event."
            ),
        )
    if not stage.triggers_scheduling:
        return TriggerResult(
            WebhookEvent.State.PROCESSED,
            f"Workflow {workflow_id} is at stage {stage}, which does not trigger scheduling.",
        )

    stage_label = f"{stage} ({stage.status_id})"
    if connection.trigger_mode == Connection.TriggerMode.OFF:
        return TriggerResult(
            WebhookEvent.State.IGNORED,
            (
                f"Scheduling triggers are off for this connection: workflow {workflow_id} reached trigger stage "
                f"{stage_label}, nothing was done."
            ),
        )
    if connection.trigger_mode == Connection.TriggerMode.SHADOW:
        return TriggerResult(
            WebhookEvent.State.PROCESSED,
            (
                f"Shadow mode: would have started a scheduling request for workflow {workflow_id} at stage "
                f"{stage_label}."
            ),
        )

    candidate_id = _profile_id(workflow.get("associatedprofile")) or event.person_id
    job_id = _profile_id(workflow.get("baseprofile")) or event.job_id
    notes = mirror_profiles_ensure(connection=connection, client=client, person_id=candidate_id, job_id=job_id)
    outcome = _request_upsert(event=event, stage=stage, candidate_id=candidate_id, job_id=job_id)
    return TriggerResult(WebhookEvent.State.PROCESSED, " ".join([outcome, *notes]))


def _request_upsert(*, event: WebhookEvent, stage: Stage, candidate_id: str, job_id: str) -> str:
    stage_label = f"{stage} ({stage.status_id})"
    fresh = {"candidate_id": candidate_id, "job_id": job_id, "trigger_stage": stage, "last_event": event}
    with transaction.atomic():
        request = _locked(event)
        if request is None:
            try:
                with transaction.atomic():
                    request = SchedulingRequest.objects.create(
                        connection=event.connection, workflow_id=event.system_id, **fresh
                    )
            except IntegrityError:  # another worker created it between our read and our insert
                request = _locked(event)
            else:
                logger.info("Scheduling request %s started for workflow %s", request.pk, event.system_id)
                scheduling_request_event_emit(event_type=SCHEDULING_REQUEST_CREATED, request=request)
                _latency_record(event, label="started")
                return f"Started scheduling request {request.pk} for workflow {event.system_id} at stage {stage_label}."
        if request.last_event_id == event.pk:
            # This very event was applied already (a replay, or a worker that died after committing).
            return f"Started scheduling request {request.pk} for workflow {event.system_id} at stage {stage_label}."
        previous_state = request.state
        if previous_state in (SchedulingRequest.State.SCHEDULED, SchedulingRequest.State.CANCELLED):
            closed_at = request.scheduled_at or request.cancelled_at
            if closed_at is not None and event.received_at <= closed_at:
                return (
                    f"Scheduling request {request.pk} for workflow {event.system_id} was {previous_state} after "
                    "this event arrived; nothing changed."
                )
            _reset_to_pending(request, **fresh)
            scheduling_request_event_emit(
                event_type=SCHEDULING_REQUEST_UPDATED, request=request, change=RequestChange.REOPENED
            )
            _latency_record(event, label="reopened")
            return (
                f"Reopened scheduling request {request.pk} for workflow {event.system_id} at stage {stage_label} "
                f"(it was {previous_state})."
            )
        if request.trigger_stage_id != stage.pk:
            old_stage = request.trigger_stage
            _reset_to_pending(request, **fresh)
            scheduling_request_event_emit(
                event_type=SCHEDULING_REQUEST_UPDATED, request=request, change=RequestChange.STAGE
            )
            _latency_record(event, label="moved")
            return (
                f"Scheduling request {request.pk} for workflow {event.system_id} moved from stage {old_stage} to "
                f"{stage_label} and is pending again."
            )
        request.last_event = event
        request.save(update_fields=["last_event", "updated_at"])
        return (
            f"Scheduling request {request.pk} for workflow {event.system_id} is already {request.state} at stage "
            f"{stage_label}; nothing new to do."
        )


def _latency_record(event: WebhookEvent, *, label: str) -> None:
    """How long the candidate waited between iCIMS telling us and the request being (re)started."""
    hourly_activity_record(
        connection_id=event.connection_id,
        series=HourlyActivity.Series.WEBHOOK_TO_REQUEST,
        label=label,
        seconds=(timezone.now() - event.received_at).total_seconds(),
    )


def _locked(event: WebhookEvent) -> SchedulingRequest | None:
    return (
        SchedulingRequest.objects.select_for_update()
        .select_related("trigger_stage")
        .filter(connection=event.connection, workflow_id=event.system_id)
        .first()
    )


def _reset_to_pending(request: SchedulingRequest, **fresh) -> None:
    for name, value in fresh.items():
        setattr(request, name, value)
    request.state = SchedulingRequest.State.PENDING
    request.opened_at = request.scheduled_at = request.cancelled_at = None
    request.advance_outcome = ""
    request.save()


def _profile_id(reference: object) -> str:
    """The id of a profile reference `{"id": 1, "value": ..., "profile": ...}`, as text."""
    if isinstance(reference, dict) and reference.get("id") not in (None, ""):
        return str(reference["id"])
    return ""
