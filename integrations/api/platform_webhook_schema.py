"""The events the portal POSTs to the scheduling platform, as OpenAPI 3.1 `webhooks` (drf-spectacular's
SPECTACULAR_SETTINGS["WEBHOOKS"]). Only documentation: the payloads are built in
services/platform_webhook_events.py, and tests check the two agree."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from ..services import platform_webhook_events as events

SIGNATURE_HELP = (
    "Signed as the Standard Webhooks specification says: headers `webhook-id` (the event id: the same on "
    "every retry, so deduplicate on it), `webhook-timestamp` (Unix seconds) and `webhook-signature` "
    "(`v1,<base64 HMAC-SHA256 of id.timestamp.body>` under the endpoint's `whsec_` secret). Verify it with "
    "a Standard Webhooks library. Answer 2xx within 10 s; anything else is retried with back-off for "
    "about 3 days."
)


def _envelope(name: str, data: serializers.Serializer, event_type: str) -> serializers.Serializer:
    return type(
        name,
        (serializers.Serializer,),
        {
            "type": serializers.ChoiceField(choices=[event_type], help_text="The event type."),
            "version": serializers.IntegerField(help_text="The payload's version; fields are only added within one."),
            "timestamp": serializers.DateTimeField(help_text="When the event happened (UTC)."),
            "data": data,
            "__module__": __name__,
        },
    )()


class SchedulingRequestEventData(serializers.Serializer):
    scheduling_request_id = serializers.IntegerField()
    connection_id = serializers.IntegerField()
    workflow_id = serializers.CharField(help_text="The iCIMS applicant workflow.")
    candidate_id = serializers.CharField(help_text="The iCIMS person id of the candidate.")
    job_id = serializers.CharField(help_text="The iCIMS job id.")
    state = serializers.ChoiceField(choices=["pending", "opened", "scheduled", "cancelled"])
    url = serializers.CharField(help_text="GET it (with your API token) for the whole request.")


class SchedulingRequestUpdatedData(SchedulingRequestEventData):
    change = serializers.ChoiceField(
        choices=[
            events.RequestChange.OPENED,
            events.RequestChange.SCHEDULED,
            events.RequestChange.REOPENED,
            events.RequestChange.STAGE,
            events.RequestChange.CANDIDATE_MOVED_ON,
        ],
        help_text="What changed: `stage` a new trigger stage (pending again), `reopened` a new round after it was "
        "scheduled or cancelled, `candidate_moved_on` a recruiter moved the candidate on in iCIMS before the "
        "auto-advance.",
    )


class WritebackEventData(serializers.Serializer):
    writeback_id = serializers.IntegerField()
    connection_id = serializers.IntegerField()
    scheduling_request_id = serializers.IntegerField(allow_null=True)
    action = serializers.CharField(help_text="advance_status, interview_create, ...")
    reason = serializers.CharField(required=False, help_text="Dead or needs review: why.")
    url = serializers.CharField(help_text="GET it (with your API token) for the whole write-back.")


class ConnectionHealthEventData(serializers.Serializer):
    connection_id = serializers.IntegerField()
    previous_state = serializers.CharField()
    state = serializers.ChoiceField(choices=["failing", "degraded", "onboarding", "paused", "healthy"])
    reason = serializers.CharField()
    url = serializers.CharField()


DATA_BY_TYPE = {
    events.SCHEDULING_REQUEST_CREATED: SchedulingRequestEventData,
    events.SCHEDULING_REQUEST_UPDATED: SchedulingRequestUpdatedData,
    events.SCHEDULING_REQUEST_CANCELLED: SchedulingRequestEventData,
    events.WRITEBACK_SUCCEEDED: WritebackEventData,
    events.WRITEBACK_DEAD: WritebackEventData,
    events.WRITEBACK_NEEDS_REVIEW: WritebackEventData,
    events.CONNECTION_HEALTH_CHANGED: ConnectionHealthEventData,
}


def _webhook(event_type: str) -> OpenApiWebhook:
    component = "".join(part.capitalize() for part in event_type.replace(".", "_").split("_")) + "Event"
    return OpenApiWebhook(
        name=event_type,
        decorator=extend_schema(
            summary=events.EVENT_TYPES[event_type],
            description=SIGNATURE_HELP,
            request=_envelope(component, DATA_BY_TYPE[event_type](), event_type),
            responses={200: OpenApiResponse(description="Received (any 2xx).")},
        ),
    )


# One name per event type: SPECTACULAR_SETTINGS["WEBHOOKS"] lists them (a test checks every type is there).
SCHEDULING_REQUEST_CREATED = _webhook(events.SCHEDULING_REQUEST_CREATED)
SCHEDULING_REQUEST_UPDATED = _webhook(events.SCHEDULING_REQUEST_UPDATED)
SCHEDULING_REQUEST_CANCELLED = _webhook(events.SCHEDULING_REQUEST_CANCELLED)
WRITEBACK_SUCCEEDED = _webhook(events.WRITEBACK_SUCCEEDED)
WRITEBACK_DEAD = _webhook(events.WRITEBACK_DEAD)
WRITEBACK_NEEDS_REVIEW = _webhook(events.WRITEBACK_NEEDS_REVIEW)
CONNECTION_HEALTH_CHANGED = _webhook(events.CONNECTION_HEALTH_CHANGED)
