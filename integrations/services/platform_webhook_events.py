"""The events the scheduling platform is told about, and how one is stored for delivery (the outbox).

Every payload is small and versioned: `type`, `version`, `timestamp` and `data` holding ids and the API
URL to read the rest from (never a candidate's name or e-mail: the platform reads those with its
token). A change and its event are written in one transaction; the deliveries are queued when it
commits, so a rolled-back change is never announced.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.models import (
    PlatformWebhookDelivery,
    PlatformWebhookEndpoint,
    PlatformWebhookMessage,
    SchedulingRequest,
    Writeback,
)

from .task_queue import PLATFORM_WEBHOOK_DELIVER, task_enqueue

SCHEDULING_REQUEST_CREATED = "scheduling_request.created"
SCHEDULING_REQUEST_UPDATED = "scheduling_request.updated"
SCHEDULING_REQUEST_CANCELLED = "scheduling_request.cancelled"
WRITEBACK_SUCCEEDED = "writeback.succeeded"
WRITEBACK_DEAD = "writeback.dead"
WRITEBACK_NEEDS_REVIEW = "writeback.needs_review"
CONNECTION_HEALTH_CHANGED = "connection.health_changed"

# Every type, with what it means (the admin's choices and the OpenAPI document read this).
EVENT_TYPES = {
    SCHEDULING_REQUEST_CREATED: "A candidate reached a trigger status: a new scheduling request.",
    SCHEDULING_REQUEST_UPDATED: "A request changed: opened, scheduled, reopened, moved to another trigger stage, "
    "or the candidate moved on in iCIMS (`data.change` says which).",
    SCHEDULING_REQUEST_CANCELLED: "A request was cancelled.",
    WRITEBACK_SUCCEEDED: "A change to iCIMS (status advance, interview, feedback request) succeeded.",
    WRITEBACK_DEAD: "A change to iCIMS was given up: refused, or its retries ran out.",
    WRITEBACK_NEEDS_REVIEW: "A change to iCIMS may or may not have been made: a person must look.",
    CONNECTION_HEALTH_CHANGED: "A connection's health changed (healthy, degraded, failing, onboarding, paused).",
}
PAYLOAD_VERSION = 1


class RequestChange:
    """`data.change` of scheduling_request.updated."""

    OPENED = "opened"
    SCHEDULED = "scheduled"
    REOPENED = "reopened"
    STAGE = "stage"
    CANDIDATE_MOVED_ON = "candidate_moved_on"


def _api_url(name: str, pk: int) -> str:
    """Absolute when PORTAL_URL is set, else the path under the portal's host."""
    return settings.PORTAL_URL.rstrip("/") + reverse(name, args=[pk])


def scheduling_request_event_data(request: SchedulingRequest, *, change: str = "") -> dict:
    data = {
        "scheduling_request_id": request.pk,
        "connection_id": request.connection_id,
        "workflow_id": request.workflow_id,
        "candidate_id": request.candidate_id,
        "job_id": request.job_id,
        "state": request.state,
        "url": _api_url("api:scheduling-request-detail", request.pk),
    }
    if change:
        data["change"] = change
    return data


def scheduling_request_event_emit(*, event_type: str, request: SchedulingRequest, change: str = "") -> None:
    platform_webhook_event_emit(
        event_type=event_type,
        data=scheduling_request_event_data(request, change=change),
        connection_id=request.connection_id,
    )


def writeback_event_emit(*, event_type: str, writeback: Writeback, reason: str = "") -> None:
    data = {
        "writeback_id": writeback.pk,
        "connection_id": writeback.connection_id,
        "scheduling_request_id": writeback.scheduling_request_id,
        "action": writeback.action,
        "url": _api_url("api:writeback-detail", writeback.pk),
    }
    if reason:
        data["reason"] = reason[:500]
    platform_webhook_event_emit(event_type=event_type, data=data, connection_id=writeback.connection_id)


def connection_health_event_emit(*, connection_id: int, previous: str, state: str, reason: str) -> None:
    platform_webhook_event_emit(
        event_type=CONNECTION_HEALTH_CHANGED,
        data={
            "connection_id": connection_id,
            "previous_state": previous,
            "state": state,
            "reason": reason[:500],
            "url": _api_url("api:connection-detail", connection_id),
        },
        connection_id=connection_id,
    )


def platform_webhook_event_emit(
    *, event_type: str, data: dict, connection_id: int | None = None
) -> PlatformWebhookMessage | None:
    """Store the event and one delivery per enabled endpoint that wants it; queue them on commit.

    Nothing is stored when no endpoint wants the type (one query).
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown platform webhook event type {event_type!r}")
    endpoint_ids = [
        endpoint.pk
        for endpoint in PlatformWebhookEndpoint.objects.filter(is_enabled=True).only("pk", "event_types")
        if endpoint.subscribes_to(event_type)
    ]
    if not endpoint_ids:
        return None
    now = timezone.now()
    with transaction.atomic():
        message = PlatformWebhookMessage.objects.create(
            event_id=f"evt_{uuid.uuid4().hex}",
            event_type=event_type,
            version=PAYLOAD_VERSION,
            payload={
                "type": event_type,
                "version": PAYLOAD_VERSION,
                "timestamp": now.isoformat().replace("+00:00", "Z"),
                "data": data,
            },
            connection_id=connection_id,
        )
        deliveries = PlatformWebhookDelivery.objects.bulk_create(
            [PlatformWebhookDelivery(message=message, endpoint_id=pk, next_attempt_at=now) for pk in endpoint_ids]
        )
        delivery_ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: platform_webhook_deliveries_enqueue(delivery_ids=delivery_ids), robust=True)
    return message


def platform_webhook_deliveries_enqueue(*, delivery_ids: list[int], countdown: float | None = None) -> None:
    for delivery_id in delivery_ids:
        task_enqueue(name=PLATFORM_WEBHOOK_DELIVER, args=(delivery_id,), countdown=countdown)
