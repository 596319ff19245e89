"""What the admin index opens with: connections that are failing or degraded, and open alerts."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Alert, ConnectionHealth, HealthState


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


def needs_attention(*, limit: int = 15) -> NeedsAttention:
    """Worst first; unacknowledged alerts before acknowledged ones. Five queries whatever the number of tenants."""
    unhealthy = ConnectionHealth.objects.filter(state__in=[HealthState.FAILING, HealthState.DEGRADED])
    alerts = Alert.objects.filter(resolved_at__isnull=True)
    return NeedsAttention(
        unhealthy=list(unhealthy.select_related("connection").order_by("rank", "connection__name")[:limit]),
        unhealthy_count=unhealthy.count(),
        open_alerts=list(alerts.select_related("connection").order_by("acknowledged_at", "-opened_at")[:limit]),
        open_alert_count=alerts.count(),
        checked=ConnectionHealth.objects.exists(),
    )
