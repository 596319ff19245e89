"""`GET /api/v1/scheduling-requests/{id}/timeline/`: the request's whole story, the admin's timeline as JSON.

Bounded rather than paginated: a story is read whole, and `?limit=` (1 to 500) keeps its newest entries.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from integrations.models import WebhookEvent, Writeback
from integrations.selectors.scheduling_request_timeline import TimelineEntry, scheduling_request_timeline_newest

from .schema import ERROR_RESPONSES

TIMELINE_MAX_ENTRIES = 500

# The selector's kinds (worded for the admin) -> stable codes for programs.
KIND_CODES = {
    "webhook event": "webhook_event",
    "decision": "decision",
    "write-back": "writeback",
    "attempt": "writeback_attempt",
}


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When it happened (UTC).")
    kind = serializers.ChoiceField(
        choices=list(KIND_CODES.values()),
        help_text="`webhook_event`: iCIMS told us the workflow moved; `decision`: the request started, was "
        "opened, scheduled or cancelled; `writeback`: a change queued for iCIMS; `writeback_attempt`: one "
        "try at sending it.",
    )
    title = serializers.CharField(help_text="For people; may change.")
    detail = serializers.CharField(allow_blank=True, help_text="For people: outcome, error or reason; may be empty.")
    webhook_event_id = serializers.IntegerField(allow_null=True, help_text="The stored webhook event, if any.")
    writeback_id = serializers.IntegerField(
        allow_null=True, help_text="The write-back (`/api/v1/writebacks/{id}/`), for write-backs and their attempts."
    )
    writeback_url = serializers.CharField(allow_null=True, help_text="The write-back's API URL, if any.")


class TimelineSerializer(serializers.Serializer):
    scheduling_request = serializers.IntegerField(help_text="The request's id.")
    entries = TimelineEntrySerializer(many=True, help_text="Oldest first.")
    truncated = serializers.BooleanField(
        help_text=f"True when older entries were left out: raise `limit` (at most {TIMELINE_MAX_ENTRIES})."
    )


class TimelineQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=TIMELINE_MAX_ENTRIES,
        default=TIMELINE_MAX_ENTRIES,
        help_text=f"Keep the newest N entries, 1 to {TIMELINE_MAX_ENTRIES} (default {TIMELINE_MAX_ENTRIES}); "
        "anything else answers 400.",
    )


def _entry(request, entry: TimelineEntry) -> dict:
    record = entry.record
    writeback_id = record.pk if isinstance(record, Writeback) else None
    return {
        "at": entry.at,
        "kind": KIND_CODES[entry.kind],
        "title": entry.title,
        "detail": entry.detail,
        "webhook_event_id": record.pk if isinstance(record, WebhookEvent) else None,
        "writeback_id": writeback_id,
        "writeback_url": request.build_absolute_uri(reverse("api:writeback-detail", args=[writeback_id]))
        if writeback_id is not None
        else None,
    }


class SchedulingRequestTimeline:
    """Mixed into the scheduling request viewset: the request is found through the tenant wall (get_object)."""

    @extend_schema(
        summary="The request's story: webhook events, decisions and write-backs, oldest first",
        description="The webhook events of the request's workflow, the request's own decisions (started, "
        "opened, scheduled, cancelled) and its write-backs with every send attempt, oldest first. At most "
        f"`limit` entries (the newest; {TIMELINE_MAX_ENTRIES} at most); `truncated` says older ones were left out.",
        parameters=[TimelineQuerySerializer],
        responses={200: TimelineSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def timeline(self, request, pk=None):
        query = TimelineQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        scheduling_request = self.get_object()
        page = scheduling_request_timeline_newest(request=scheduling_request, limit=query.validated_data["limit"])
        return Response(
            TimelineSerializer(
                {
                    "scheduling_request": scheduling_request.pk,
                    "entries": [_entry(request, entry) for entry in page.entries],
                    "truncated": page.truncated,
                }
            ).data
        )
