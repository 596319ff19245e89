"""`/api/v1/scheduling-requests/`: candidates opened for scheduling, newest first, and the actions on one."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from integrations.models import SchedulingRequest

from .pagination import NewestFirstCursorPagination
from .scheduling_actions import SchedulingRequestActions
from .scheduling_request_serializers import SchedulingRequestSerializer
from .scheduling_request_timeline import SchedulingRequestTimeline
from .schema import ERROR_RESPONSES
from .tenancy import ID_PATTERN, visible_connections


class SchedulingRequestFilter(django_filters.FilterSet):
    connection = django_filters.ModelChoiceFilter(
        queryset=visible_connections, help_text="Only this connection's requests (its id)."
    )
    state = django_filters.MultipleChoiceFilter(
        choices=SchedulingRequest.State.choices, help_text="One or more states: `?state=pending&state=opened`."
    )
    created_since = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Created at or after this ISO 8601 time."
    )
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after this ISO 8601 time."
    )

    class Meta:
        model = SchedulingRequest
        fields = ["connection", "state", "candidate_id", "workflow_id", "job_id"]


@extend_schema_view(
    list=extend_schema(responses={200: SchedulingRequestSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: SchedulingRequestSerializer, **ERROR_RESPONSES}),
)
class SchedulingRequestViewSet(
    SchedulingRequestActions,
    SchedulingRequestTimeline,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Scheduling requests of the connections this token may see, newest first, and what the platform does
    with one (open, schedule, cancel, interviews, feedback requests); its timeline."""

    queryset = SchedulingRequest.objects.none()  # the schema's model; requests use get_queryset
    serializer_class = SchedulingRequestSerializer
    filterset_class = SchedulingRequestFilter
    pagination_class = NewestFirstCursorPagination
    lookup_value_regex = ID_PATTERN

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset  # list filters never hide the one request a detail URL names
        return super().filter_queryset(queryset)

    def get_queryset(self):
        return SchedulingRequest.objects.filter(connection__in=visible_connections(self.request)).select_related(
            "trigger_stage"
        )
