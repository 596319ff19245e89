"""The health of each connection as the alerts tick last computed it: what the connection list reads."""

from __future__ import annotations

from django.db import models

from .connections import Connection


class HealthState(models.TextChoices):
    FAILING = "failing", "failing"
    DEGRADED = "degraded", "degraded"
    ONBOARDING = "onboarding", "onboarding"
    PAUSED = "paused", "paused"
    HEALTHY = "healthy", "healthy"


# Sorting by health puts the worst first.
HEALTH_RANK = {state: rank for rank, state in enumerate(HealthState.values)}


class ConnectionHealth(models.Model):
    """One row per connection, rewritten by every alerts tick (once a minute).

    A stored row, not a live computation, because the connection list must sort and filter by
    health over a thousand tenants in one query; the change page computes it live instead.
    """

    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, primary_key=True, related_name="health", verbose_name="connection"
    )
    state = models.CharField("health", max_length=16, choices=HealthState.choices)
    rank = models.PositiveSmallIntegerField("rank", help_text="Failing first, healthy last: the list sorts on it.")
    reason = models.TextField("reason", blank=True, help_text="Why the connection has this state, in one sentence.")
    problems = models.JSONField(
        "problems", default=list, blank=True, help_text='Every problem found: [{"kind", "severity", "message"}].'
    )
    data_as_of = models.DateTimeField(
        "data as of",
        null=True,
        blank=True,
        help_text="The start of the oldest entity's last successful sync: nothing changed before it is missing.",
    )
    last_error = models.TextField("last error", blank=True, help_text="The newest sync error not yet cleared.")
    last_error_at = models.DateTimeField("last error at", null=True, blank=True)
    calls_today = models.PositiveIntegerField("calls today", default=0, help_text="iCIMS calls since 00:00 UTC.")
    daily_limit = models.PositiveIntegerField(
        "daily allowance", null=True, blank=True, help_text="As iCIMS last reported it; empty: not reported today."
    )
    daily_remaining = models.PositiveIntegerField("allowance left", null=True, blank=True)
    checked_at = models.DateTimeField("checked", help_text="When the alerts tick computed this row.")

    class Meta:
        verbose_name = "connection health"
        verbose_name_plural = "connection health"
        indexes = [models.Index(fields=["rank"], name="connection_health_rank")]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.state}"
