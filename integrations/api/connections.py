"""`/api/v1/connections/`: the tenants the caller's token may see, never their credentials."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from integrations.models import Connection

from .filters import StrictBooleanFilter, StrictFilterSet, TextFilter
from .schema import ERROR_RESPONSES
from .tenancy import ID_PATTERN, visible_connections


class ConnectionFeaturesSerializer(serializers.Serializer):
    interview_sync = serializers.BooleanField(
        source="interview_sync_enabled", help_text="Interviews are written back to iCIMS."
    )
    feedback_forms = serializers.BooleanField(source="feedback_enabled", help_text="iCIMS feedback forms are used.")
    auto_advance = serializers.BooleanField(
        source="auto_advance_enabled",
        help_text="Opening a scheduling request moves the candidate to the trigger's advance-to status.",
    )


class ConnectionSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(
        source="is_active", help_text="Paused connections are not synced and their webhooks are not processed."
    )
    features = ConnectionFeaturesSerializer(source="*")

    class Meta:
        model = Connection
        # An explicit allow-list: credentials and webhook secrets can never slip in.
        fields = [
            "id",
            "name",
            "customer_id",
            "region",
            "active",
            "trigger_mode",
            "features",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ConnectionFilter(StrictFilterSet):
    customer_id = TextFilter(help_text="The iCIMS CustomerId.")
    region = django_filters.ChoiceFilter(choices=Connection._meta.get_field("region").choices)
    active = StrictBooleanFilter(field_name="is_active", help_text="Only active (true) or paused (false).")

    class Meta:
        model = Connection
        fields = ["customer_id", "region", "active"]


@extend_schema_view(
    list=extend_schema(responses={200: ConnectionSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: ConnectionSerializer, **ERROR_RESPONSES}),
)
class ConnectionViewSet(viewsets.ReadOnlyModelViewSet):
    """The iCIMS tenants this token may see."""

    queryset = Connection.objects.none()  # the schema's model; requests use get_queryset
    serializer_class = ConnectionSerializer
    lookup_value_regex = ID_PATTERN
    filterset_class = ConnectionFilter

    def get_queryset(self):
        return visible_connections(self.request)
