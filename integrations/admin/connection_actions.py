"""Admin actions on connections that call iCIMS: "test connection"."""

from __future__ import annotations

from django.contrib import admin, messages

from ..services.connection_test import connection_test


@admin.action(description="Test the selected connections against iCIMS", permissions=["change"])
def run_connection_test(modeladmin, request, queryset) -> None:
    for connection in queryset:
        result = connection_test(connection=connection, by=request.user.get_username())
        level = messages.SUCCESS if result.ok else messages.ERROR
        verdict = "works" if result.ok else "does not work"
        details = "; ".join(f"{check.name}: {check.detail}" for check in result.checks)
        modeladmin.message_user(request, f"{connection} {verdict}. {details}", level=level)
