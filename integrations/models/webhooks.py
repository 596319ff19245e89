"""Event notifications received from iCIMS."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .connections import Connection


class WebhookEvent(models.Model):
    """One event notification iCIMS posted to us, stored before we answer: the row is the source of truth."""

    class State(models.TextChoices):
        RECEIVED = "received", "received"
        PROCESSING = "processing", "processing"
        PROCESSED = "processed", "processed"
        IGNORED = "ignored", "ignored"
        FAILED = "failed", "failed"

    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        related_name="webhook_events",
        verbose_name="connection",
        help_text="The connection whose credentials authenticated the event.",
        db_index=False,  # the (connection, dedupe_key) unique index serves lookups by connection
    )
    event_type = models.CharField("event type", max_length=100, help_text="iCIMS `eventType`.")
    customer_id = models.CharField("customer id", max_length=32, help_text="iCIMS `customerId`.")
    system_id = models.CharField(
        "workflow id", max_length=64, blank=True, help_text="iCIMS `systemId`: the applicant workflow id."
    )
    person_id = models.CharField("person id", max_length=64, blank=True, help_text="iCIMS `personId`.")
    job_id = models.CharField("job id", max_length=64, blank=True, help_text="iCIMS `jobId`.")
    user_id = models.CharField(
        "user id", max_length=64, blank=True, help_text="iCIMS `userId`: the iCIMS user who made the change."
    )
    old_status = models.CharField("old status", max_length=64, blank=True, help_text="iCIMS `oldStatus`.")
    new_status = models.CharField("new status", max_length=64, blank=True, help_text="iCIMS `newStatus`.")
    payload = models.JSONField("payload", help_text="The event body as iCIMS sent it (decompressed).")
    headers = models.JSONField(
        "request headers", default=dict, help_text="Authorization, cookies and signatures are redacted."
    )
    received_at = models.DateTimeField("received", default=timezone.now, db_index=True)
    dedupe_key = models.CharField(
        "dedupe key", max_length=100, help_text="Identical events received in the same window share it."
    )
    state = models.CharField("state", max_length=16, choices=State.choices, default=State.RECEIVED)
    state_changed_at = models.DateTimeField(
        "state changed", default=timezone.now, help_text="When the state last changed: the sweeper's clock."
    )
    attempts = models.PositiveIntegerField("attempts", default=0, help_text="Times a worker claimed it.")
    last_error = models.TextField("last error", blank=True, help_text="Why the last attempt failed.")
    outcome = models.TextField("outcome", blank=True, help_text="What processing did, or why it was ignored.")
    processed_at = models.DateTimeField("processed", null=True, blank=True)
    waiting_since = models.DateTimeField(
        "waiting since",
        null=True,
        blank=True,
        help_text="When it first had to wait for its turn (iCIMS asked us to slow down, a budget was spent, "
        "the breaker was open, the connection is paused). Empty: not waiting.",
    )
    waiting_until = models.DateTimeField(
        "waiting until", null=True, blank=True, help_text="When it may go on. Empty while waiting: until resumed."
    )
    waiting_reason = models.CharField(
        "waiting for", max_length=300, blank=True, help_text="Why it waits. Waiting costs none of its attempts."
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "webhook event"
        constraints = [
            models.UniqueConstraint(fields=["connection", "dedupe_key"], name="webhookevent_unique_dedupe_key"),
        ]
        indexes = [models.Index(fields=["state", "state_changed_at"], name="webhookevent_state_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.system_id or ''} ({self.customer_id})".replace("  ", " ")
