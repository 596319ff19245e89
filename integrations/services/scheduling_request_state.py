"""The scheduling platform's word on a request: scheduled, or cancelled."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.models import SchedulingRequest

from .platform_webhook_events import (
    SCHEDULING_REQUEST_CANCELLED,
    SCHEDULING_REQUEST_UPDATED,
    RequestChange,
    scheduling_request_event_emit,
)


class SchedulingRequestStateError(ValueError):
    """The request is in a state that does not allow this change (e.g. scheduling a cancelled request)."""


def scheduling_request_lock(scheduling_request: SchedulingRequest) -> SchedulingRequest:
    """The request's row, locked for the rest of the transaction, with what the services read."""
    return (
        SchedulingRequest.objects.select_for_update(of=("self",))
        .select_related("connection", "trigger_stage", "trigger_stage__advance_to")
        .get(pk=scheduling_request.pk)
    )


def scheduling_request_mark_scheduled(*, scheduling_request: SchedulingRequest) -> SchedulingRequest:
    """pending or opened -> scheduled; marking a scheduled request again changes nothing."""
    with transaction.atomic():
        request = scheduling_request_lock(scheduling_request)
        if request.state == SchedulingRequest.State.SCHEDULED:
            return request
        if request.state == SchedulingRequest.State.CANCELLED:
            raise SchedulingRequestStateError(
                f"Scheduling request {request.pk} is cancelled; it is reopened only by a new trigger in iCIMS."
            )
        request.state = SchedulingRequest.State.SCHEDULED
        request.scheduled_at = timezone.now()
        request.save(update_fields=["state", "scheduled_at", "updated_at"])
        scheduling_request_event_emit(
            event_type=SCHEDULING_REQUEST_UPDATED, request=request, change=RequestChange.SCHEDULED
        )
    return request


def scheduling_request_cancel(*, scheduling_request: SchedulingRequest) -> SchedulingRequest:
    """Any state -> cancelled; cancelling a cancelled request again changes nothing."""
    with transaction.atomic():
        request = scheduling_request_lock(scheduling_request)
        if request.state == SchedulingRequest.State.CANCELLED:
            return request
        request.state = SchedulingRequest.State.CANCELLED
        request.cancelled_at = timezone.now()
        request.save(update_fields=["state", "cancelled_at", "updated_at"])
        scheduling_request_event_emit(event_type=SCHEDULING_REQUEST_CANCELLED, request=request)
    return request
