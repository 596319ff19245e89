"""What the admin index opens with: connections that are failing or degraded, and open alerts."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser

from ..models import Alert, ConnectionHealth, HealthState
from .tenancy import tenant_rows_visible_to


@dataclass(frozen=True)
class NeedsAttention:
    unhealthy: list[ConnectionHealth]
    unhealthy_count: int
    open_alerts: list[Alert]
    open_alert_count: int
    checked: bool  # False until the alerts tick stored any health at all

    @property
    def all_well(self) -> bool:
        return self.checked and not self.unhealthy_count and not self.open_alert_count


def needs_attention(*, user: AbstractBaseUser, limit: int = 15) -> NeedsAttention:
    """Of the tenants the user sees: worst first; unacknowledged alerts before acknowledged ones. Five queries
    whatever the number of tenants."""
    health = tenant_rows_visible_to(user=user, queryset=ConnectionHealth.objects.all(), connection_path="connection")
    unhealthy = health.filter(state__in=[HealthState.FAILING, HealthState.DEGRADED])
    alerts = tenant_rows_visible_to(
        user=user, queryset=Alert.objects.filter(resolved_at__isnull=True), connection_path="connection"
    )
    return NeedsAttention(
        unhealthy=list(unhealthy.select_related("connection").order_by("rank", "connection__name")[:limit]),
        unhealthy_count=unhealthy.count(),
        open_alerts=list(alerts.select_related("connection").order_by("acknowledged_at", "-opened_at")[:limit]),
        open_alert_count=alerts.count(),
        checked=health.exists(),
    )
