"""The 403 page: the admin's look (header, sidebar of what the user may open) and what to do instead."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from integrations.api.errors import error_body


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("permission_denied", "Not allowed."), status=403)
    response = TemplateResponse(
        request, "403.html", {**admin.site.each_context(request), "title": "You may not do this"}, status=403
    )
    return response.render()
