"""Outbound webhooks to the scheduling platform: endpoints, the outbox of events, deliveries and attempts.

An event is stored (PlatformWebhookMessage) in the transaction of the change it describes, with one
delivery row per endpoint subscribed to it; the delivery row is the source of truth for sending, the
Celery message a nudge. Each attempt keeps what was sent and what came back, for the delivery log.
"""

from __future__ import annotations

from django.db import models

from ..fields import EncryptedTextField
from .connections import Connection


class PlatformWebhookEndpoint(models.Model):
    """A URL of the scheduling platform that receives signed events (Standard Webhooks)."""

    url = models.URLField(
        "URL",
        max_length=500,
        help_text="HTTPS on a public address, unless PLATFORM_WEBHOOK_ALLOWED_HOSTS lists its host:port.",
    )
    description = models.CharField("description", max_length=200, blank=True)
    event_types = models.JSONField(
        "events",
        default=list,
        blank=True,
        help_text="The event types sent to this endpoint; empty: every type.",
    )
    secret = EncryptedTextField(
        "signing secret", help_text="whsec_…, stored encrypted; shown once when made or rotated, never again."
    )
    is_enabled = models.BooleanField(
        "enabled", default=True, help_text="Disabled: nothing is sent; events for it are not kept."
    )
    failure_streak = models.PositiveIntegerField(
        "failures in a row", default=0, help_text="Failed attempts since the last success."
    )
    failing_since = models.DateTimeField(
        "failing since", null=True, blank=True, help_text="The first failure of the current streak."
    )
    disabled_at = models.DateTimeField("disabled", null=True, blank=True)
    disabled_reason = models.CharField("why disabled", max_length=300, blank=True)
    secret_rotated_at = models.DateTimeField("secret made", null=True, blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "platform webhook endpoint"

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class PlatformWebhookMessage(models.Model):
    """One event for the scheduling platform, stored with the change it describes (the outbox)."""

    event_id = models.CharField(
        "event id", max_length=64, unique=True, help_text="`webhook-id`: the same for every delivery and retry."
    )
    event_type = models.CharField("type", max_length=64, db_index=True)
    version = models.PositiveSmallIntegerField("version", default=1)
    payload = models.JSONField("payload", help_text="The body sent: type, version, timestamp, data.")
    connection = models.ForeignKey(
        Connection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="connection",
    )
    created_at = models.DateTimeField("created", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "platform webhook event"

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class PlatformWebhookDelivery(models.Model):
    """One event to one endpoint: retried until it is delivered or its retries run out."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERING = "delivering", "delivering"
        DELIVERED = "delivered", "delivered"
        RETRYING = "retrying", "retrying"
        DEAD = "dead", "dead"

    message = models.ForeignKey(
        PlatformWebhookMessage, on_delete=models.CASCADE, related_name="deliveries", verbose_name="event"
    )
    endpoint = models.ForeignKey(
        PlatformWebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name="endpoint"
    )
    state = models.CharField("state", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("attempts", default=0)
    next_attempt_at = models.DateTimeField(
        "next attempt", null=True, blank=True, help_text="Pending or retrying: not sent before this time."
    )
    last_status = models.PositiveIntegerField("last HTTP status", null=True, blank=True)
    last_error = models.TextField("last error", blank=True)
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True, help_text="Also the sender's lease clock.")
    delivered_at = models.DateTimeField("delivered", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "platform webhook delivery"
        verbose_name_plural = "platform webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["message", "endpoint"], name="platform_webhook_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="platform_webhook_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="platform_webhook_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message} to endpoint {self.endpoint_id} ({self.state})"


class PlatformWebhookAttempt(models.Model):
    """One POST of a delivery: the request as sent and the answer as received (both truncated)."""

    delivery = models.ForeignKey(
        PlatformWebhookDelivery, on_delete=models.CASCADE, related_name="send_attempts", verbose_name="delivery"
    )
    started_at = models.DateTimeField("started")
    duration_ms = models.PositiveIntegerField("duration (ms)", null=True, blank=True)
    replay = models.BooleanField("replay", default=False, help_text="Sent again by a person.")
    request_headers = models.JSONField("request headers", default=dict)
    request_body = models.TextField("request body")
    response_status = models.PositiveIntegerField("response status", null=True, blank=True)
    response_body = models.TextField("response body", blank=True, help_text="The first 2,000 characters.")
    error = models.TextField("error", blank=True, help_text="Why the attempt failed; empty: delivered.")
    next_attempt_at = models.DateTimeField(
        "next attempt", null=True, blank=True, help_text="When the delivery is tried again; empty: not again."
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "platform webhook attempt"

    def __str__(self) -> str:
        return f"attempt at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.response_status or self.error[:40]}"
