"""The connection page's test panel: the last test's result, a "Test now" button (super admins only),
the data stream the StreamId was found to name, and that discovery again when a save changes it."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from ..models import Connection
from ..services.connection_field_map import connection_field_map_check
from ..services.connection_stream_resolve import connection_stream_resolve
from ..services.connection_test import connection_test

# A change to any of these may change what the StreamId resolves to.
STREAM_INPUTS = {
    "stream_id",
    "customer_id",
    "region",
    "credential_mode",
    "client_id",
    "client_secret",
    "stream_url_override",
    "token_url_override",
}


class ConnectionTestingAdminMixin:
    def connection_test_fields(self, request: HttpRequest) -> list[str]:
        return ["last_connection_test", "test_now"] if request.user.is_superuser else ["last_connection_test"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/test-now/", view(self.test_now_view), name="integrations_connection_test_now"),
            *super().get_urls(),
        ]

    def test_now_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.is_superuser:
            raise PermissionDenied
        connection = get_object_or_404(Connection, pk=object_id)
        result = connection_test(connection=connection, by=request.user.get_username())
        verdict = "works" if result.ok else "does not work"
        self.message_user(
            request,
            f"{connection} {verdict}: see the connection test below.",
            messages.SUCCESS if result.ok else messages.ERROR,
        )
        return redirect(reverse("admin:integrations_connection_change", args=[connection.pk]) + "?tab=settings")

    @admin.display(description="last test")
    def last_connection_test(self, obj: Connection) -> str:
        result = obj.last_test_result or None
        return render_to_string(
            "admin/integrations/connection/last_test.html",
            {"result": result, "tested_at": parse_datetime(result["at"]) if result else None},
        )

    @admin.display(description="test")
    def test_now(self, obj: Connection) -> str:
        url = reverse("admin:integrations_connection_test_now", args=[obj.pk])
        return render_to_string("admin/integrations/connection/test_now_button.html", {"test_now_url": url})

    @admin.display(description="data stream found")
    def data_stream_found(self, obj: Connection) -> str:
        if not obj.stream_id:
            return "No StreamId: this connection syncs by search."
        resolved = obj.resolved_data_stream
        if resolved is None:
            return "Not found yet: the StreamId has not been resolved; the connection test looks it up."
        return format_html("stream <code>{}</code>, subscription <code>{}</code>", *resolved)

    def resolve_stream_after_save(self, request: HttpRequest, obj: Connection, changed: set[str]) -> None:
        """A changed StreamId (or what reaches it) is looked up at once, so the page shows what it names."""
        if not obj.stream_id or not (changed & STREAM_INPUTS):
            return
        resolution = connection_stream_resolve(connection=obj)
        level = messages.SUCCESS if resolution.ok else messages.WARNING
        self.message_user(request, f"Data stream: {resolution.detail}", level)

    def check_field_map_after_save(self, request: HttpRequest, obj: Connection, form) -> None:
        """Say what the field map's live read could not check; a new connection's map is read only now."""
        if "field_map" not in form.changed_data or not obj.field_map:
            return
        if getattr(form, "field_map_checked", False):
            notes = form.field_map_notes
        else:
            check = connection_field_map_check(connection=obj)
            notes = [*check.notes, *(f"{p}: iCIMS does not know the field {f!r}." for p, f in check.unknown.items())]
        for note in notes:
            self.message_user(request, f"Field map: {note}", messages.WARNING)
