"""What the platform does with a scheduling request: open it, mark it scheduled or cancelled, and
book interviews and feedback requests, which are written back to iCIMS asynchronously (202)."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from goodtime_icims.client_address import client_address
from integrations.models import AuditEvent, SchedulingRequest, Writeback
from integrations.services.audit_record import audit_record
from integrations.services.feedback_requests import feedback_request_create
from integrations.services.interview_writebacks import (
    InterviewCancelled,
    interview_cancel,
    interview_create,
    interview_update,
)
from integrations.services.scheduling_request_open import scheduling_request_open
from integrations.services.scheduling_request_state import (
    SchedulingRequestStateError,
    scheduling_request_cancel,
    scheduling_request_mark_scheduled,
)

from .errors import Conflict
from .scheduling_request_serializers import SchedulingRequestSerializer
from .schema import WRITE_ERROR_RESPONSES
from .text_fields import text_field
from .writebacks import WritebackSerializer, writeback_accepted

# Our interview's id goes in its URL (/interviews/{external_id}/): no `/`, no NUL, at most 200 characters.
EXTERNAL_ID_URL_PATTERN = r"[^/\x00]{1,200}"
EXTERNAL_ID_PATH_SCHEMA = {"type": "string", "pattern": r"^[^/\u0000]{1,200}$"}
# And in a body: the same, and not only whitespace.
EXTERNAL_ID_BODY_PATTERN = r"^[^/\u0000]*[^/\s\u0000][^/\u0000]*$"
EXTERNAL_ID_BODY_MESSAGE = "Not only whitespace, and no `/` (the id goes in the interview's URL)."


def external_id_field(**kwargs) -> serializers.CharField:
    return text_field(max_length=200, pattern=EXTERNAL_ID_BODY_PATTERN, message=EXTERNAL_ID_BODY_MESSAGE, **kwargs)


class InterviewerSerializer(serializers.Serializer):
    person_id = text_field(max_length=64, help_text="The interviewer's iCIMS person id.")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class InterviewCreateSerializer(serializers.Serializer):
    external_id = external_id_field(help_text="Our interview's id: how it is found again to update or cancel it.")
    title = text_field(max_length=500)
    start_time = serializers.DateTimeField(help_text="ISO 8601; without an offset it is UTC.")
    end_time = serializers.DateTimeField(help_text="ISO 8601, after start_time.")
    location = text_field(blank=True, max_length=500, required=False, default="")
    interviewers = InterviewerSerializer(many=True, required=False, default=list)

    def validate(self, data):
        if data["end_time"] <= data["start_time"]:
            raise ValidationError({"end_time": ["Must be after start_time."]})
        return data


class InterviewUpdateSerializer(serializers.Serializer):
    title = text_field(max_length=500, required=False)
    start_time = serializers.DateTimeField(required=False)
    end_time = serializers.DateTimeField(required=False)
    location = text_field(blank=True, max_length=500, required=False)
    interviewers = InterviewerSerializer(many=True, required=False)

    def validate(self, data):
        if not data:
            raise ValidationError("Send at least one of: " + ", ".join(self.fields) + ".")
        if "start_time" in data and "end_time" in data and data["end_time"] <= data["start_time"]:
            raise ValidationError({"end_time": ["Must be after start_time."]})
        return data


class FeedbackRequestSerializer(serializers.Serializer):
    form_id = text_field(max_length=200, help_text="From GET /connections/{id}/feedback-forms/.")
    interviewer_person_id = text_field(max_length=64, help_text="The interviewer's iCIMS person id.")
    interview_external_id = external_id_field(help_text="The interview it is about (its external_id).")


def _state_change(request_object: SchedulingRequest, change: Callable[..., SchedulingRequest]) -> SchedulingRequest:
    try:
        return change(scheduling_request=request_object)
    except SchedulingRequestStateError as refused:
        raise Conflict(str(refused), code="invalid_state", details={"state": request_object.state}) from None


def _queued(call: Callable[..., Writeback], **kwargs) -> Writeback:
    """The service's write-back; its own checks on the values (ValueError) answer 400."""
    try:
        return call(**kwargs)
    except InterviewCancelled as refused:
        raise Conflict(str(refused), code="interview_cancelled") from None
    except ValueError as refused:
        raise ValidationError({"non_field_errors": [str(refused)]}) from None


class SchedulingRequestActions:
    """Mixed into the scheduling request viewset: POSTs on one request, found through the tenant wall."""

    def _respond(self, scheduling_request: SchedulingRequest) -> Response:
        return Response(self.get_serializer(scheduling_request).data)

    def _audit(self, scheduling_request: SchedulingRequest, what: str) -> None:
        """Each action the platform takes, with the token that took it."""
        audit_record(
            action=AuditEvent.Action.API_CALL,
            summary=f"{what} (scheduling request {scheduling_request.pk}, workflow {scheduling_request.workflow_id})",
            api_token=self.request.auth,
            connection=scheduling_request.connection,
            address=client_address(self.request),
        )

    def _state_action(self, change: Callable[..., SchedulingRequest], what: str) -> Response:
        scheduling_request = _state_change(self.get_object(), change)
        self._audit(scheduling_request, what)
        return self._respond(scheduling_request)

    @extend_schema(
        request=None,
        summary="Open the request (the platform took it on); may auto-advance in iCIMS",
        responses={200: SchedulingRequestSerializer, **WRITE_ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._state_action(scheduling_request_open, "open")

    @extend_schema(
        request=None,
        summary="Mark the request scheduled",
        responses={200: SchedulingRequestSerializer, **WRITE_ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        return self._state_action(scheduling_request_mark_scheduled, "schedule")

    @extend_schema(
        request=None,
        summary="Cancel the request",
        responses={200: SchedulingRequestSerializer, **WRITE_ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._state_action(scheduling_request_cancel, "cancel")

    @extend_schema(
        request=InterviewCreateSerializer,
        summary="Book an interview: written back to iCIMS",
        responses={202: WritebackSerializer, **WRITE_ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="interviews")
    def interviews(self, request, pk=None):
        scheduling_request = self.get_object()
        body = _valid(InterviewCreateSerializer, request.data)
        writeback = _queued(interview_create, scheduling_request=scheduling_request, **body)
        self._audit(scheduling_request, f"book interview {body.get('external_id', '')}".strip())
        return writeback_accepted(request, writeback)

    @extend_schema(
        methods=["PATCH"],
        request=InterviewUpdateSerializer,
        summary="Change an interview in iCIMS",
        parameters=[OpenApiParameter("external_id", EXTERNAL_ID_PATH_SCHEMA, OpenApiParameter.PATH)],
        responses={202: WritebackSerializer, **WRITE_ERROR_RESPONSES},
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        summary="Cancel an interview in iCIMS",
        parameters=[OpenApiParameter("external_id", EXTERNAL_ID_PATH_SCHEMA, OpenApiParameter.PATH)],
        responses={202: WritebackSerializer, **WRITE_ERROR_RESPONSES},
    )
    @action(
        detail=True, methods=["patch", "delete"], url_path=rf"interviews/(?P<external_id>{EXTERNAL_ID_URL_PATTERN})"
    )
    def interview(self, request, pk=None, external_id: str = ""):
        scheduling_request = self.get_object()
        if request.method == "DELETE":
            writeback = _queued(interview_cancel, scheduling_request=scheduling_request, external_id=external_id)
            self._audit(scheduling_request, f"cancel interview {external_id}")
        else:
            changes = _valid(InterviewUpdateSerializer, request.data)
            writeback = _queued(
                interview_update, scheduling_request=scheduling_request, external_id=external_id, changes=changes
            )
            self._audit(scheduling_request, f"change interview {external_id}")
        return writeback_accepted(request, writeback)

    @extend_schema(
        request=FeedbackRequestSerializer,
        summary="Ask an interviewer for feedback in iCIMS",
        responses={202: WritebackSerializer, **WRITE_ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="feedback-requests")
    def feedback_requests(self, request, pk=None):
        scheduling_request = self.get_object()
        body = _valid(FeedbackRequestSerializer, request.data)
        writeback = _queued(feedback_request_create, scheduling_request=scheduling_request, **body)
        self._audit(scheduling_request, "request feedback")
        return writeback_accepted(request, writeback)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
