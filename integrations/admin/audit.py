"""The audit trail in the admin: read-only, for superusers."""

from __future__ import annotations

from django.contrib import admin

from ..models import AuditEvent
from .view_only import ViewOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    list_display = ["at", "action", "who", "connection", "summary", "address"]
    list_filter = ["action", "connection", ("at", admin.DateFieldListFilter)]
    search_fields = ["summary", "actor_name", "api_token__name", "api_token__prefix", "connection__name"]
    list_select_related = ["actor", "api_token", "connection"]
    date_hierarchy = "at"
    fields = ["at", "action", "actor", "actor_name", "api_token", "connection", "summary", "address"]
    readonly_fields = fields

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="who", ordering="actor_name")
    def who(self, event: AuditEvent) -> str:
        if event.api_token_id:
            return f"API token {event.api_token}"
        return event.actor_name or "shell"
