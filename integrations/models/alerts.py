"""Alerts: typed problems per connection that open once, resolve by themselves and notify people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .connections import Connection
from .platform_webhooks import PlatformWebhookEndpoint


class AlertKind(models.TextChoices):
    SYNC_STALE = "sync_stale", "sync stale"
    SYNC_FAILING = "sync_failing", "sync failing"
    CREDENTIALS_REFUSED = "credentials_refused", "credentials refused"
    STREAM_FALLBACK = "stream_fallback", "data stream fell back to search"
    WEBHOOK_STUCK = "webhook_stuck", "webhook stuck"
    WRITEBACK_DEAD = "writeback_dead", "write-back dead"
    ALLOWANCE_LOW = "allowance_low", "daily allowance low"
    UNKNOWN_STATUS = "unknown_status", "unknown status ids in webhooks"
    PLATFORM_WEBHOOK_DISABLED = "platform_webhook_disabled", "platform webhook endpoint disabled"


class AlertSettings(models.Model):
    """One connection's thresholds and recipients. Without a row, the defaults apply."""

    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, primary_key=True, related_name="alert_settings", verbose_name="connection"
    )
    email_recipients = models.TextField(
        "alert e-mail recipients",
        blank=True,
        help_text="Addresses, separated by commas or new lines, told about this connection's alerts "
        "besides ALERT_EMAIL_RECIPIENTS.",
    )
    sync_stale_minutes = models.PositiveIntegerField(
        "sync stale after (minutes)", default=15, help_text="Alert when an entity's data is older than this."
    )
    sync_failing_runs = models.PositiveIntegerField(
        "sync failing after (runs)", default=3, help_text="Alert when this many runs of one entity failed in a row."
    )
    webhook_stuck_minutes = models.PositiveIntegerField(
        "webhook stuck after (minutes)",
        default=2,
        help_text="Alert when the oldest unprocessed webhook event is older than this.",
    )
    allowance_low_percent = models.PositiveIntegerField(
        "allowance low under (%)",
        default=10,
        help_text="Alert when less than this share of today's iCIMS calls is left.",
    )

    class Meta:
        verbose_name = "alert settings"
        verbose_name_plural = "alert settings"

    def __str__(self) -> str:
        return f"alert settings of {self.connection_id}"

    def recipients(self) -> list[str]:
        return [part.strip() for part in self.email_recipients.replace("\n", ",").split(",") if part.strip()]


class Alert(models.Model):
    """One problem of one kind on one connection, from the tick that saw it to the tick that saw it gone."""

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name="connection",
        help_text="Empty for a problem of the portal's own, e.g. a platform webhook endpoint.",
    )
    platform_webhook_endpoint = models.ForeignKey(
        PlatformWebhookEndpoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name="platform webhook endpoint",
    )
    kind = models.CharField("rule", max_length=32, choices=AlertKind.choices)
    message = models.TextField("message", help_text="What the last tick that saw the problem said about it.")
    opened_at = models.DateTimeField("opened")
    last_seen_at = models.DateTimeField("last seen", help_text="The last tick that saw the problem.")
    clear_since = models.DateTimeField(
        "clear since",
        null=True,
        blank=True,
        help_text="The first tick that no longer saw the problem; it resolves once clear for a while "
        "(ALERT_RESOLVE_AFTER_SECONDS).",
    )
    resolved_at = models.DateTimeField("resolved", null=True, blank=True, help_text="Empty: still open.")
    acknowledged_at = models.DateTimeField("acknowledged", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="acknowledged by",
    )
    muted_until = models.DateTimeField(
        "muted until", null=True, blank=True, help_text="No notification about this rule and connection before then."
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "alert"
        constraints = [
            # Open once: a second open alert of the same rule on the same connection cannot exist.
            models.UniqueConstraint(
                fields=["connection", "kind"], condition=Q(resolved_at__isnull=True), name="alert_one_open_per_rule"
            ),
            models.UniqueConstraint(
                fields=["platform_webhook_endpoint", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_endpoint",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at", "connection"], name="alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.subject}"

    @property
    def subject(self) -> str:
        """What the alert is about: a connection, or a platform webhook endpoint."""
        if self.connection_id is not None:
            return str(self.connection)
        return f"endpoint {self.platform_webhook_endpoint}" if self.platform_webhook_endpoint_id else "the portal"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AlertNotification(models.Model):
    """One message to send about an alert opening or resolving, on one channel: an outbox, retried by the tick."""

    class Event(models.TextChoices):
        OPENED = "opened", "opened"
        RESOLVED = "resolved", "resolved"

    class Channel(models.TextChoices):
        EMAIL = "email", "e-mail"
        WEBHOOK = "webhook", "chat webhook"

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"
        SKIPPED = "skipped", "skipped"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications", verbose_name="alert")
    event = models.CharField("event", max_length=16, choices=Event.choices)
    channel = models.CharField("channel", max_length=16, choices=Channel.choices)
    state = models.CharField("state", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("attempts", default=0)
    last_error = models.TextField("last error", blank=True, help_text="Never contains the webhook URL or a password.")
    created_at = models.DateTimeField("created", auto_now_add=True)
    sent_at = models.DateTimeField("sent", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "alert notification"
        constraints = [
            models.UniqueConstraint(fields=["alert", "event", "channel"], name="alert_notification_once"),
        ]
        indexes = [models.Index(fields=["state"], name="alert_notification_state")]

    def __str__(self) -> str:
        return f"{self.alert} {self.event} by {self.channel}: {self.state}"
