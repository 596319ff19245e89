"""Routes of sync's API: the mirror records, under the connection they belong to.

The project's urls.py mounts them under /api/v1/, in the API's namespace ("api:job-list").
"""

from __future__ import annotations

from django.urls import re_path

from integrations.api.tenancy import CONNECTION, RECORD

from .api import CandidateViewSet, IcimsUserViewSet, JobViewSet


def _mirror_routes(segment: str, viewset, name: str) -> list:
    return [
        re_path(rf"^{CONNECTION}/{segment}/$", viewset.as_view({"get": "list"}), name=f"{name}-list"),
        re_path(rf"^{CONNECTION}/{segment}/{RECORD}/$", viewset.as_view({"get": "retrieve"}), name=f"{name}-detail"),
    ]


urlpatterns = [
    *_mirror_routes("jobs", JobViewSet, "job"),
    *_mirror_routes("candidates", CandidateViewSet, "candidate"),
    *_mirror_routes("users", IcimsUserViewSet, "user"),
]
