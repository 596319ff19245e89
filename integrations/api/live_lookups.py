"""Live lookups: a candidate's applications, a resume link, a job's hiring team and the feedback forms,
read from iCIMS now."""

from __future__ import annotations

import mimetypes

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.services.feedback_requests import feedback_forms_list
from integrations.services.live_lookups import (
    candidate_applications_lookup,
    candidate_resume_fetch,
    job_hiring_team_lookup,
)
from integrations.services.resume_links import (
    ResumeLinkExpired,
    ResumeLinkInvalid,
    resume_link_resolve,
    resume_link_sign,
)

from .errors import ApiException, LinkExpired
from .scheduling_request_serializers import StageSerializer
from .schema import ERROR_RESPONSES, LIVE_ERROR_RESPONSES, LIVE_FEATURE_ERROR_RESPONSES
from .tenancy import ConnectionScoped


class JobRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="iCIMS job id.")
    title = serializers.CharField()


class StatusSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="iCIMS status (list node) id, e.g. C51218.")
    name = serializers.CharField()


class SourcePersonSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(allow_null=True, help_text="iCIMS person id.")
    name = serializers.CharField()


class BinSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="iCIMS bin (list node) id.")
    name = serializers.CharField()


CUSTOM_FIELDS_HELP = (
    "The connection's field map: portal name → the value of the mapped iCIMS field as iCIMS sent it "
    "(a string, number, list node or person reference), null when the record has no value."
)


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="iCIMS applicant workflow id.")
    candidate_id = serializers.IntegerField(allow_null=True)
    job = JobRefSerializer()
    status = StatusSerializer()
    bin = BinSerializer(allow_null=True, help_text="The status's bin, when iCIMS returns it.")
    source = serializers.CharField()
    source_name = serializers.CharField()
    source_person = SourcePersonSerializer(allow_null=True, help_text="iCIMS `sourceperson`, when set.")
    updated_in_icims = serializers.DateTimeField(allow_null=True)
    stage = StageSerializer(allow_null=True, help_text="The imported stage with this status; null if unknown.")
    scheduling_request_id = serializers.IntegerField(allow_null=True)
    custom_fields = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text=CUSTOM_FIELDS_HELP)


class ApplicationListSerializer(serializers.Serializer):
    results = ApplicationSerializer(many=True)


class TeamMemberSerializer(serializers.Serializer):
    person_id = serializers.IntegerField(allow_null=True, help_text="iCIMS person id.")
    name = serializers.CharField()
    email = serializers.CharField(allow_null=True, help_text="From the user mirror; null if the user is not synced.")


class HiringTeamRolesSerializer(serializers.Serializer):
    hiring_manager = TeamMemberSerializer(allow_null=True)
    recruiter = TeamMemberSerializer(allow_null=True)
    secondary_recruiter = TeamMemberSerializer(allow_null=True)
    job_owner = TeamMemberSerializer(allow_null=True)
    coordinator = TeamMemberSerializer(allow_null=True, help_text="The job field mapped as `job.coordinator`.")
    sourcer = TeamMemberSerializer(allow_null=True, help_text="The job field mapped as `job.sourcer`.")


class HiringTeamSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    title = serializers.CharField()
    team = HiringTeamRolesSerializer()
    assumed_roles = serializers.ListField(
        child=serializers.CharField(),
        help_text="Roles iCIMS documents no field for and the connection's field map does not map "
        "(coordinator, sourcer): always null until mapped.",
    )
    custom_fields = serializers.DictField(child=serializers.JSONField(allow_null=True), help_text=CUSTOM_FIELDS_HELP)


class ResumeLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Fetch without a token before `expires_at`; 404 when there is no resume.")
    expires_at = serializers.DateTimeField()


class CandidateApplicationsView(ConnectionScoped, APIView):
    """Applicant workflows of the candidate (at most the 50 newest), each with its job, status and stage."""

    @extend_schema(
        operation_id="candidate_applications",
        summary="The candidate's applications, read live from iCIMS",
        responses={200: ApplicationListSerializer, **LIVE_ERROR_RESPONSES},
    )
    def get(self, request, connection_id: str, icims_id: str):
        applications = candidate_applications_lookup(connection=self.connection, candidate_id=int(icims_id))
        return Response(ApplicationListSerializer({"results": applications}).data)


class JobHiringTeamView(ConnectionScoped, APIView):
    """Role -> person for the job: hiring manager, recruiters, owner, and the assumed coordinator and sourcer."""

    @extend_schema(
        operation_id="job_hiring_team",
        summary="The job's hiring team, read live from iCIMS",
        responses={200: HiringTeamSerializer, **LIVE_ERROR_RESPONSES},
    )
    def get(self, request, connection_id: str, icims_id: str):
        team = job_hiring_team_lookup(connection=self.connection, job_id=int(icims_id))
        return Response(HiringTeamSerializer(team).data)


class CandidateResumeLinkView(ConnectionScoped, APIView):
    """A signed link, valid a few minutes, to the resume served through the portal (no iCIMS call yet)."""

    @extend_schema(
        operation_id="candidate_resume_link",
        summary="A short-lived link to the candidate's resume, served through the portal",
        responses={200: ResumeLinkSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, connection_id: str, icims_id: str):
        link = resume_link_sign(connection=self.connection, candidate_id=int(icims_id))
        url = request.build_absolute_uri(reverse("api:resume-file", kwargs={"signed": link.signed}))
        return Response(ResumeLinkSerializer({"url": url, "expires_at": link.expires_at}).data)


class IgnoreAccept(BaseContentNegotiation):
    """The file comes in iCIMS's content type whatever the caller accepts; errors come as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ResumeFileView(APIView):
    """The signed link is the credential: no token, so the platform can hand the link to a browser."""

    content_negotiation_class = IgnoreAccept
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="resume_file",
        summary="The resume file (from a resume link)",
        responses={
            # In the content type iCIMS gives it (PDF, Word, text, ...): any type.
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, in iCIMS's content type."),
            **LIVE_ERROR_RESPONSES,
        },
    )
    def get(self, request, signed: str):
        try:
            target = resume_link_resolve(signed=signed)
        except ResumeLinkExpired as expired:
            raise LinkExpired(str(expired)) from None
        except ResumeLinkInvalid as invalid:
            raise ApiException(str(invalid), code="not_found", status_code=404) from None
        resume = candidate_resume_fetch(connection=target.connection, candidate_id=target.candidate_id)
        if resume is None:
            raise ApiException("This candidate has no resume in iCIMS.", code="no_resume", status_code=404)
        content_type = resume.content_type or "application/octet-stream"
        extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
        response = HttpResponse(resume.content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="resume-{target.candidate_id}{extension}"'
        response["Cache-Control"] = "private, no-store"
        return response


class FeedbackFormSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class FeedbackFormListSerializer(serializers.Serializer):
    results = FeedbackFormSerializer(many=True)


class FeedbackFormsView(ConnectionScoped, APIView):
    """The tenant's iCIMS feedback forms (an assumed iCIMS API, see the README), for feedback requests."""

    @extend_schema(
        operation_id="connection_feedback_forms",
        summary="The connection's feedback forms, read live from iCIMS",
        responses={200: FeedbackFormListSerializer, **LIVE_FEATURE_ERROR_RESPONSES},
    )
    def get(self, request, connection_id: str):
        forms = feedback_forms_list(connection=self.connection)
        return Response(FeedbackFormListSerializer({"results": forms}).data)
