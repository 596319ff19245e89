"""The mirror over the REST API: `/api/v1/connections/{connection_id}/jobs|candidates|users/`.

Read-only, cursor-paginated by iCIMS id. Lists show only in-scope records unless `scope_state` says
otherwise; a record is fetched by its iCIMS id whatever its scope.
"""

from __future__ import annotations

import django_filters
from django.http import QueryDict
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from integrations.api.pagination import IcimsIdCursorPagination
from integrations.api.schema import ERROR_RESPONSES, LIVE_READ_ERROR_RESPONSES
from integrations.api.tenancy import ID_PATTERN, ConnectionScoped
from integrations.services.candidate_live_refresh import candidate_live_refresh

from .models import Candidate, IcimsUser, Job, ScopeState

ANY_SCOPE = "any"
IN_SCOPE, OUT_OF_SCOPE = "in_scope", "out_of_scope"


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="iCIMS person id.")
    name = serializers.CharField(help_text="The name as iCIMS displays it.")


def _person_ref(record, role: str) -> dict | None:
    person_id = getattr(record, f"{role}_icims_id")
    name = getattr(record, f"{role}_name")
    return {"id": person_id, "name": name} if person_id is not None or name else None


class MirroredRecordSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="icims_id", help_text="The iCIMS system id.")
    updated_in_icims = serializers.DateTimeField(
        source="updateddate", allow_null=True, help_text="iCIMS's own last-updated time (minute resolution)."
    )
    scope = serializers.SerializerMethodField(
        help_text="`in_scope`: in the synced folders and kept fresh by the sync; `out_of_scope`: outside them "
        "(left, deleted, or never in them but named by a scheduling request); `scope_state` says which."
    )

    common_fields = [
        "id",
        "folder",
        "folder_id",
        "updated_in_icims",
        "scope",
        "scope_state",
        "scope_changed_at",
        "synced_at",
    ]

    @extend_schema_field(serializers.ChoiceField(choices=[IN_SCOPE, OUT_OF_SCOPE]))
    def get_scope(self, record) -> str:
        return IN_SCOPE if record.scope_state == ScopeState.IN_SCOPE else OUT_OF_SCOPE


class JobSerializer(MirroredRecordSerializer):
    job_number = serializers.CharField(source="jobid", help_text="The human job number, e.g. 2014-1026.")
    title = serializers.CharField(source="jobtitle")
    location = serializers.CharField(source="joblocation")
    hiring_manager = serializers.SerializerMethodField()
    recruiter = serializers.SerializerMethodField()
    secondary_recruiter = serializers.SerializerMethodField()
    job_owner = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            *MirroredRecordSerializer.common_fields,
            "job_number",
            "title",
            "location",
            "hiring_manager",
            "recruiter",
            "secondary_recruiter",
            "job_owner",
        ]
        read_only_fields = fields

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_hiring_manager(self, job: Job) -> dict | None:
        return _person_ref(job, "hiringmanager")

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_recruiter(self, job: Job) -> dict | None:
        return _person_ref(job, "recruiter")

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_secondary_recruiter(self, job: Job) -> dict | None:
        return _person_ref(job, "secondaryrecruiter")

    @extend_schema_field(PersonRefSerializer(allow_null=True))
    def get_job_owner(self, job: Job) -> dict | None:
        return _person_ref(job, "jobowner")


class PersonSerializer(MirroredRecordSerializer):
    first_name = serializers.CharField(source="firstname")
    middle_name = serializers.CharField(source="middlename")
    last_name = serializers.CharField(source="lastname")

    person_fields = ["first_name", "middle_name", "last_name", "email", "phones", "location", "has_resume"]


class CandidateSerializer(PersonSerializer):
    class Meta:
        model = Candidate
        fields = [*MirroredRecordSerializer.common_fields, *PersonSerializer.person_fields]
        read_only_fields = fields


class IcimsUserSerializer(PersonSerializer):
    class Meta:
        model = IcimsUser
        fields = [*MirroredRecordSerializer.common_fields, *PersonSerializer.person_fields]
        read_only_fields = fields


class MirrorFilter(django_filters.FilterSet):
    folder = django_filters.CharFilter(
        field_name="folder", lookup_expr="iexact", help_text="The iCIMS folder, e.g. `Cand:Active` (any case)."
    )
    folder_id = django_filters.CharFilter(help_text="The folder's list node id, e.g. `D32005`.")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updateddate",
        lookup_expr="gte",
        help_text="Only records iCIMS updated at or after this ISO 8601 time (UTC when no offset is given).",
    )
    scope_state = django_filters.ChoiceFilter(
        choices=[*ScopeState.choices, (ANY_SCOPE, "any")],
        method="filter_scope_state",
        empty_label=None,
        help_text="Default `in_scope`; `any` for every record the mirror keeps; `out_of_scope` for people "
        "outside the folders kept because a scheduling request names them.",
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("scope_state"):
            data["scope_state"] = ScopeState.IN_SCOPE
        super().__init__(data, *args, **kwargs)

    def filter_scope_state(self, queryset, name, value):
        return queryset if value == ANY_SCOPE else queryset.filter(scope_state=value)


class MirrorViewSet(ConnectionScoped, viewsets.ReadOnlyModelViewSet):
    filterset_class = MirrorFilter
    pagination_class = IcimsIdCursorPagination
    lookup_field = "icims_id"
    lookup_url_kwarg = "icims_id"
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return self.queryset.model.objects.filter(connection=self.connection)

    def filter_queryset(self, queryset):
        if self.action == "retrieve":
            return queryset  # a record asked for by id is shown whatever its scope
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(responses={200: JobSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: JobSerializer, **ERROR_RESPONSES}),
)
class JobViewSet(MirrorViewSet):
    """Jobs mirrored from iCIMS (every job except deleted ones)."""

    queryset = Job.objects.none()  # names the model (for the schema); requests use get_queryset
    serializer_class = JobSerializer


class LiveQuerySerializer(serializers.Serializer):
    live = serializers.BooleanField(
        required=False,
        default=False,
        help_text="`true`: read the person from iCIMS now (a live lookup, under the connection's call budget), "
        "whatever their folder, and refresh the mirror; `false` (default): answer from the mirror.",
    )


@extend_schema_view(
    list=extend_schema(responses={200: CandidateSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(
        description="A candidate by iCIMS id, from the mirror whatever its scope: people in the candidate folders, "
        "and people outside them that a scheduling request names (`scope` `out_of_scope`). With `?live=true` the "
        "profile is read from iCIMS now for any person id and the mirror refreshed; a person the mirror does not "
        "keep (outside the folders, named by no scheduling request) is answered without being stored.",
        parameters=[LiveQuerySerializer],
        responses={200: CandidateSerializer, **LIVE_READ_ERROR_RESPONSES},
    ),
)
class CandidateViewSet(MirrorViewSet):
    """Candidates mirrored from iCIMS (people in the connection's candidate folders, and people a scheduling
    request names)."""

    queryset = Candidate.objects.none()  # names the model (for the schema); requests use get_queryset
    serializer_class = CandidateSerializer

    def retrieve(self, request, *args, **kwargs):
        query = LiveQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        if not query.validated_data["live"]:
            return super().retrieve(request, *args, **kwargs)
        candidate = candidate_live_refresh(connection=self.connection, icims_id=int(kwargs["icims_id"]))
        return Response(self.get_serializer(candidate).data)


@extend_schema_view(
    list=extend_schema(responses={200: IcimsUserSerializer(many=True), **ERROR_RESPONSES}),
    retrieve=extend_schema(responses={200: IcimsUserSerializer, **ERROR_RESPONSES}),
)
class IcimsUserViewSet(MirrorViewSet):
    """Users mirrored from iCIMS (people in the connection's user folders)."""

    queryset = IcimsUser.objects.none()  # names the model (for the schema); requests use get_queryset
    serializer_class = IcimsUserSerializer
