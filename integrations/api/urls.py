"""Routes of /api/v1/. Mirror records and live lookups sit under the connection they belong to."""

from __future__ import annotations

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from sync.api import CandidateViewSet, IcimsUserViewSet, JobViewSet

from .connections import ConnectionViewSet
from .live_lookups import (
    CandidateApplicationsView,
    CandidateResumeLinkView,
    FeedbackFormsView,
    JobHiringTeamView,
    ResumeFileView,
)
from .scheduling_requests import SchedulingRequestViewSet
from .tenancy import ID_PATTERN
from .writebacks import WritebackViewSet

app_name = "api"

router = SimpleRouter()
router.register("connections", ConnectionViewSet, basename="connection")
router.register("scheduling-requests", SchedulingRequestViewSet, basename="scheduling-request")
router.register("writebacks", WritebackViewSet, basename="writeback")

CONNECTION = rf"connections/(?P<connection_id>{ID_PATTERN})"
RECORD = rf"(?P<icims_id>{ID_PATTERN})"


def _mirror_routes(segment: str, viewset, name: str) -> list:
    return [
        re_path(rf"^{CONNECTION}/{segment}/$", viewset.as_view({"get": "list"}), name=f"{name}-list"),
        re_path(rf"^{CONNECTION}/{segment}/{RECORD}/$", viewset.as_view({"get": "retrieve"}), name=f"{name}-detail"),
    ]


urlpatterns = [
    *router.urls,
    *_mirror_routes("jobs", JobViewSet, "job"),
    *_mirror_routes("candidates", CandidateViewSet, "candidate"),
    *_mirror_routes("users", IcimsUserViewSet, "user"),
    re_path(
        rf"^{CONNECTION}/candidates/{RECORD}/applications/$",
        CandidateApplicationsView.as_view(),
        name="candidate-applications",
    ),
    re_path(rf"^{CONNECTION}/candidates/{RECORD}/resume/$", CandidateResumeLinkView.as_view(), name="candidate-resume"),
    re_path(rf"^{CONNECTION}/jobs/{RECORD}/hiring-team/$", JobHiringTeamView.as_view(), name="job-hiring-team"),
    re_path(rf"^{CONNECTION}/feedback-forms/$", FeedbackFormsView.as_view(), name="feedback-forms"),
    path("resume-files/<str:signed>/", ResumeFileView.as_view(), name="resume-file"),
]
