"""`/api/v1/scheduling-requests/`: candidates opened for scheduling, newest first."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from integrations.models import SchedulingRequest, Stage

from .pagination import NewestFirstCursorPagination
from .schema import ERROR_RESPONSES
from .tenancy import ID_PATTERN, visible_connections


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "bin", "status", "status_id", "triggers_scheduling"]
        read_only_fields = fields


class SchedulingRequestSerializer(serializers.ModelSerializer):
    trigger_stage = StageSerializer(read_only=True)

    class Meta:
        model = SchedulingRequest
        fields = ["id", "connection", "workflow_id", "candidate_id", "job_id", "state", "trigger_stage",
                  "advance_outcome", "opened_at", "scheduled_at", "cancelled_at", "created_at", "updated_at"]
        read_only_fields = fields


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


@extend_schema_view(list=extend_schema(responses={200: SchedulingRequestSerializer(many=True), **ERROR_RESPONSES}),
                    retrieve=extend_schema(responses={200: SchedulingRequestSerializer, **ERROR_RESPONSES}))
class SchedulingRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Scheduling requests of the connections this token may see, newest first."""

    queryset = SchedulingRequest.objects.none()  # the schema's model; requests use get_queryset
    serializer_class = SchedulingRequestSerializer
    filterset_class = SchedulingRequestFilter
    pagination_class = NewestFirstCursorPagination
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return SchedulingRequest.objects.filter(connection__in=visible_connections(self.request)).select_related(
            "trigger_stage"
        )
