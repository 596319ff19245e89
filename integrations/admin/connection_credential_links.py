"""The connection page's credential link panel: super admins make a one-time link for the customer to enter
its own client id and secret; the link is shown once, on the page after making it, and never stored."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..models import Connection
from ..selectors.credential_links import connection_credential_link_status
from ..services.credential_links import credential_link_create


class ConnectionCredentialLinkAdminMixin:
    def credential_link_context(self, request: HttpRequest, connection: Connection) -> dict:
        """What the Status tab's credential link panel shows (connection/credential_link_panel.html)."""
        if not request.user.is_superuser:
            return {}
        return {
            "credential_link_status": connection_credential_link_status(connection=connection),
            "credential_link_create_url": reverse(
                "admin:integrations_connection_credential_link", args=[connection.pk]
            ),
            "credential_link_default_hours": settings.CREDENTIAL_LINK_DEFAULT_EXPIRY_HOURS,
            "credential_link_max_hours": settings.CREDENTIAL_LINK_MAX_EXPIRY_HOURS,
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/credential-link/",
                view(self.credential_link_view),
                name="integrations_connection_credential_link",
            ),
            *super().get_urls(),
        ]

    def credential_link_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_superuser:
            raise PermissionDenied
        connection = get_object_or_404(Connection, pk=object_id)
        change_url = reverse("admin:integrations_connection_change", args=[connection.pk])
        try:
            hours = int(request.POST.get("expires_hours") or settings.CREDENTIAL_LINK_DEFAULT_EXPIRY_HOURS)
            issued = credential_link_create(
                connection=connection, expires_in=timedelta(hours=hours), created_by=request.user
            )
        except ValueError as refused:
            message = str(refused) if "credential link" in str(refused) else "Give the hours as a whole number."
            self.message_user(request, f"No link was made: {message}", messages.ERROR)
            return redirect(change_url)
        # Rendered directly, never put in a message: messages may live in a cookie. No cache may keep it.
        response = TemplateResponse(
            request,
            "admin/integrations/connection/credential_link_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": connection,
                "link": issued.link,
                "url": request.build_absolute_uri(reverse("credential-link", args=[issued.token])),
                "title": "Credential link made",
            },
        )
        response["Cache-Control"] = "no-store"
        return response
