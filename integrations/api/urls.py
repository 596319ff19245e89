"""Routes of /api/v1/ owned by integrations; live lookups sit under the connection they belong to.

The project's urls.py mounts them with sync's mirror routes (sync/urls.py) in one namespace, "api".
"""

from __future__ import annotations

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from .connections import ConnectionViewSet
from .live_lookups import (
    CandidateApplicationsView,
    CandidateResumeLinkView,
    FeedbackFormsView,
    JobHiringTeamView,
    ResumeFileView,
)
from .scheduling_requests import SchedulingRequestViewSet
from .tenancy import CONNECTION, RECORD
from .writebacks import WritebackViewSet

app_name = "api"

router = SimpleRouter()
router.register("connections", ConnectionViewSet, basename="connection")
router.register("scheduling-requests", SchedulingRequestViewSet, basename="scheduling-request")
router.register("writebacks", WritebackViewSet, basename="writeback")

urlpatterns = [
    *router.urls,
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
