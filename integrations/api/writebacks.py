"""`/api/v1/writebacks/`: the changes queued for iCIMS on the platform's behalf, to follow until they land.

Interview and feedback calls answer 202 with the write-back; its `state` moves from pending to
succeeded (or skipped, retrying, dead) as the worker sends it.
"""

from __future__ import annotations

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from integrations.models import Writeback

from .filters import IdFilter, StrictFilterSet
from .pagination import NewestFirstCursorPagination
from .schema import ERROR_RESPONSES
from .tenancy import ID_PATTERN, visible_connections


class WritebackSerializer(serializers.ModelSerializer):
    class Meta:
        model = Writeback
        fields = [
            "id",
            "connection",
            "scheduling_request",
            "action",
            "state",
            "attempts",
            "next_attempt_at",
            "last_error",
            "result",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields


class WritebackFilter(StrictFilterSet):
    connection = IdFilter(
        field_name="connection_id",
        help_text="A connection id. An id this token cannot see, or that does not exist, matches nothing: "
        "an empty page.",
    )
    scheduling_request = IdFilter(
        field_name="scheduling_request_id",
        help_text="A scheduling request id. One this token cannot see, or that does not exist, matches nothing.",
    )
    state = django_filters.MultipleChoiceFilter(choices=Writeback.State.choices, help_text="Repeatable.")
    action = django_filters.MultipleChoiceFilter(choices=Writeback.Action.choices, help_text="Repeatable.")

    class Meta:
        model = Writeback
        fields = ["connection", "scheduling_request", "state", "action"]


@extend_schema_view(
    list=extend_schema(responses={200: WritebackSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: WritebackSerializer, **ERROR_RESPONSES}),
)
class WritebackViewSet(viewsets.ReadOnlyModelViewSet):
    """Write-backs of the connections this token may see, newest first."""

    queryset = Writeback.objects.none()  # names the model (for the schema); requests use get_queryset
    serializer_class = WritebackSerializer
    filterset_class = WritebackFilter
    pagination_class = NewestFirstCursorPagination
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return Writeback.objects.filter(connection__in=visible_connections(self.request))


def writeback_accepted(request, writeback: Writeback) -> Response:
    """202: queued, not yet done. `Location` is where to follow it."""
    location = request.build_absolute_uri(reverse("api:writeback-detail", kwargs={"pk": writeback.pk}))
    return Response(
        WritebackSerializer(writeback).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
    )
