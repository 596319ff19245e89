"""Alerts in the admin: open and past alerts with acknowledge and mute, and each connection's alert settings."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ..models import Alert, AlertNotification, AlertSettings
from ..services.alerts_attend import alerts_acknowledge, alerts_mute
from .tenancy import TenantScopedAdminMixin


class AlertSettingsInline(admin.StackedInline):
    model = AlertSettings
    can_delete = False
    max_num = 1
    verbose_name = "alert settings"
    verbose_name_plural = "alerts: recipients and thresholds (blank: the defaults)"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}
    fields = [
        "email_recipients",
        "sync_stale_minutes",
        "sync_failing_runs",
        "webhook_stuck_minutes",
        "allowance_low_percent",
    ]


class OpenFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "open"), ("resolved", "resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


class NotificationInline(admin.TabularInline):
    model = AlertNotification
    fields = ["event", "channel", "state", "attempts", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(TenantScopedAdminMixin, admin.ModelAdmin):
    """Alerts are opened and resolved by the alerts tick only; people acknowledge and mute them."""

    list_display = ["status", "kind", "connection_link", "message", "when"]
    list_display_links = ["kind"]
    list_filter = [OpenFilter, "kind", "connection"]
    list_select_related = ["connection", "platform_webhook_endpoint", "acknowledged_by"]
    search_fields = ["connection__name", "connection__customer_id", "message"]
    actions = ["acknowledge", "mute_one_hour", "mute_one_day"]
    fields = [
        "connection",
        "platform_webhook_endpoint",
        "kind",
        "message",
        "opened_at",
        "last_seen_at",
        "clear_since",
        "resolved_at",
        "acknowledged_at",
        "acknowledged_by",
        "muted_until",
    ]
    readonly_fields = fields
    inlines = [NotificationInline]

    class Media:
        css = {"all": ["admin/integrations/health.css"]}

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="status", ordering="resolved_at")
    def status(self, alert: Alert) -> str:
        """The badge, and under it who attends to the alert: acknowledged by whom, muted until when."""
        if not alert.is_open:
            colour, label = "healthy", "resolved"
        else:
            colour, label = ("degraded", "acknowledged") if alert.acknowledged_at else ("failing", "open")
        attended = []
        if alert.acknowledged_at:
            attended.append(f"acknowledged by {alert.acknowledged_by or 'a deleted user'}")
        if alert.muted_until and alert.muted_until > timezone.now():
            attended.append(f"muted until {alert.muted_until:%Y-%m-%d %H:%M} UTC")
        return format_html(
            '<span class="health-badge health-{}">{}</span><span class="health-reason">{}</span>',
            colour,
            label,
            "; ".join(attended),
        )

    @admin.display(description="when (UTC)", ordering="opened_at")
    def when(self, alert: Alert) -> str:
        opened = f"{alert.opened_at:%Y-%m-%d %H:%M}"
        if alert.is_open:
            return f"since {opened}"
        minutes = int((alert.resolved_at - alert.opened_at).total_seconds() // 60)
        return f"{opened} to {alert.resolved_at:%H:%M} ({minutes} min)"

    @admin.display(description="connection", ordering="connection__name")
    def connection_link(self, alert: Alert) -> str:
        if alert.connection_id is None and alert.platform_webhook_endpoint_id is not None:
            url = reverse(
                "admin:integrations_platformwebhookendpoint_change", args=[alert.platform_webhook_endpoint_id]
            )
            return format_html('<a href="{}">{}</a>', url, alert.subject)
        if alert.connection_id is None:
            return alert.subject
        url = reverse("admin:integrations_connection_change", args=[alert.connection_id])
        return format_html('<a href="{}">{}</a>', url, alert.connection)

    @admin.action(description="Acknowledge selected alerts", permissions=["change"])
    def acknowledge(self, request, queryset):
        count = alerts_acknowledge(alerts=queryset, user=request.user)
        self.message_user(request, f"Acknowledged {count} alert(s).", messages.SUCCESS)

    @admin.action(description="Mute selected alerts for 1 hour", permissions=["change"])
    def mute_one_hour(self, request, queryset):
        self._mute(request, queryset, timedelta(hours=1), "1 hour")

    @admin.action(description="Mute selected alerts for 24 hours", permissions=["change"])
    def mute_one_day(self, request, queryset):
        self._mute(request, queryset, timedelta(hours=24), "24 hours")

    def _mute(self, request, queryset, duration: timedelta, label: str) -> None:
        count = alerts_mute(alerts=queryset, duration=duration)
        self.message_user(request, f"Muted {count} alert(s) for {label}: no notification until then.", messages.SUCCESS)
