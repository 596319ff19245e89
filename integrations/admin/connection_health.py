"""Health in the admin: the coloured badge, the list's health filter and the Status tab of a connection."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from sync.admin_actions import connection_sync_overview_html

from ..models import Alert, Connection, ConnectionHealth, HealthState
from ..selectors.connection_health import connection_health
from ..selectors.connection_onboarding import connection_onboarding_checklist
from ..selectors.connection_problems import connection_recent_problems
from .api_usage import connection_api_usage

NOT_CHECKED = "unchecked"


def health_badge(state: str, reason: str = "") -> str:
    """A coloured pill; its colours are in admin/integrations/health.css."""
    label = state if state in HealthState.values else "not checked yet"
    return format_html('<span class="health-badge health-{}" title="{}">{}</span>', state or NOT_CHECKED, reason, label)


def data_age(data_as_of: datetime | None, *, now: datetime | None = None) -> str:
    if data_as_of is None:
        return "never synced"
    minutes = int(((now or timezone.now()) - data_as_of) / timedelta(minutes=1))
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h" if minutes < 48 * 60 else f"{minutes // (24 * 60)} days"


def calls_against_allowance(calls_today: int, daily_limit: int | None, daily_remaining: int | None) -> str:
    if daily_limit is None:
        return f"{calls_today} today"
    return f"{calls_today} today, {daily_remaining} of {daily_limit} left"


class HealthFilter(admin.SimpleListFilter):
    title = "health"
    parameter_name = "health"

    def lookups(self, request, model_admin):
        return [*HealthState.choices, (NOT_CHECKED, "not checked yet")]

    def queryset(self, request, queryset):
        if self.value() == NOT_CHECKED:
            return queryset.filter(health__isnull=True)
        if self.value() in HealthState.values:
            return queryset.filter(health__state=self.value())
        return queryset


def stored_health(connection: Connection) -> ConnectionHealth | None:
    try:
        return connection.health
    except ConnectionHealth.DoesNotExist:
        return None


def connection_status_context(connection: Connection) -> dict:
    """What the Status tab shows, computed now for this one connection."""
    report = connection_health(connection=connection)
    return {
        "health": report,
        "health_badge": health_badge(report.state, report.reason),
        "data_age": data_age(report.data_as_of),
        "calls_today": calls_against_allowance(report.calls_today, report.daily_limit, report.daily_remaining),
        "checklist": connection_onboarding_checklist(connection=connection),
        "sync_overview": connection_sync_overview_html(connection),
        "api_usage": connection_api_usage(connection),
        "open_alerts": Alert.objects.filter(connection=connection, resolved_at__isnull=True).order_by("-opened_at"),
        "alerts_url": reverse("admin:integrations_alert_changelist") + f"?connection__id__exact={connection.pk}",
        "recent_problems": [
            {
                "problem": problem,
                "url": reverse(f"admin:{problem.admin_model.replace('.', '_')}_change", args=[problem.object_id]),
            }
            for problem in connection_recent_problems(connection=connection)
        ],
    }
