"""What /metrics exports per platform webhook endpoint: whether the scheduling platform gets its events.

Two grouped queries whatever the number of endpoints. Delivered deliveries are not counted (they only
grow); what is waiting, retrying or dead is, with the age of the oldest event not yet delivered: the
figure that says the platform is falling behind before anyone there notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.db.models import Count, Min
from django.utils import timezone

from integrations.models import PlatformWebhookDelivery, PlatformWebhookEndpoint

NOT_YET_DELIVERED = (
    PlatformWebhookDelivery.State.PENDING,
    PlatformWebhookDelivery.State.DELIVERING,
    PlatformWebhookDelivery.State.RETRYING,
)


@dataclass(frozen=True)
class EndpointLabels:
    endpoint: str  # the endpoint's id: a URL may carry a token in its path or query
    host: str


@dataclass
class PlatformWebhookSnapshot:
    endpoints: dict[int, EndpointLabels] = field(default_factory=dict)
    enabled: dict[int, bool] = field(default_factory=dict)
    failure_streak: dict[int, int] = field(default_factory=dict)
    deliveries: dict[tuple[int, str], int] = field(default_factory=dict)  # (endpoint, state) -> count
    oldest_undelivered_seconds: dict[int, float] = field(default_factory=dict)


def platform_webhook_metrics_snapshot(*, now: datetime | None = None) -> PlatformWebhookSnapshot:
    now = now or timezone.now()
    snapshot = PlatformWebhookSnapshot()
    for endpoint in PlatformWebhookEndpoint.objects.only("id", "url", "is_enabled", "failure_streak"):
        snapshot.endpoints[endpoint.pk] = EndpointLabels(str(endpoint.pk), urlsplit(endpoint.url).hostname or "")
        snapshot.enabled[endpoint.pk] = endpoint.is_enabled
        snapshot.failure_streak[endpoint.pk] = endpoint.failure_streak
    rows = (
        PlatformWebhookDelivery.objects.exclude(state=PlatformWebhookDelivery.State.DELIVERED)
        .values("endpoint_id", "state")
        .annotate(total=Count("id"), oldest=Min("created_at"))
        .order_by()
    )
    for row in rows:
        endpoint_id, state = row["endpoint_id"], row["state"]
        snapshot.deliveries[(endpoint_id, state)] = row["total"]
        if state in NOT_YET_DELIVERED:
            age = (now - row["oldest"]).total_seconds()
            snapshot.oldest_undelivered_seconds[endpoint_id] = max(
                age, snapshot.oldest_undelivered_seconds.get(endpoint_id, 0.0)
            )
    return snapshot
