"""The write-back outbox: every change we make in iCIMS, stored before it is sent."""

from __future__ import annotations

from django.db import models

from .connections import Connection
from .scheduling import SchedulingRequest


class Writeback(models.Model):
    """One change to make in iCIMS. Its idempotency key makes sure the same change is never queued twice."""

    class Action(models.TextChoices):
        ADVANCE_STATUS = "advance_status", "advance status"
        INTERVIEW_CREATE = "interview_create", "create interview"
        INTERVIEW_UPDATE = "interview_update", "update interview"
        INTERVIEW_CANCEL = "interview_cancel", "cancel interview"
        FEEDBACK_REQUEST = "feedback_request", "request feedback"

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SUCCEEDED = "succeeded", "succeeded"
        SKIPPED = "skipped", "skipped"
        RETRYING = "retrying", "retrying"
        DEAD = "dead", "dead"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="writebacks", verbose_name="connection"
    )
    scheduling_request = models.ForeignKey(
        SchedulingRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="writebacks",
        verbose_name="scheduling request",
        help_text="The request this change belongs to, if any.",
    )
    action = models.CharField("action", max_length=32, choices=Action.choices, help_text="What to change in iCIMS.")
    idempotency_key = models.CharField(
        "idempotency key",
        max_length=200,
        unique=True,
        help_text="The same key is the same change: queuing it again returns the row already queued.",
    )
    payload = models.JSONField("payload", default=dict, help_text="What to send (our shape, not iCIMS's).")
    state = models.CharField(
        "state",
        max_length=16,
        choices=State.choices,
        default=State.PENDING,
        help_text="Dead: given up (see the last error); a person may retry it now.",
    )
    attempts = models.PositiveIntegerField("attempts", default=0, help_text="Sends that reached (or tried) iCIMS.")
    next_attempt_at = models.DateTimeField(
        "next attempt", null=True, blank=True, help_text="Pending or retrying: not sent before this time."
    )
    last_error = models.TextField("last error", blank=True, help_text="Why the last attempt did not succeed.")
    waiting_since = models.DateTimeField(
        "waiting since",
        null=True,
        blank=True,
        help_text="When it first had to wait for its turn (iCIMS asked us to slow down, a budget was spent, "
        "the breaker was open, the connection is paused) until `next attempt`. Empty: not waiting.",
    )
    waiting_reason = models.CharField(
        "waiting for", max_length=300, blank=True, help_text="Why it waits. Waiting costs none of its attempts."
    )
    result = models.JSONField(
        "result", default=dict, blank=True, help_text="What iCIMS gave back, e.g. the interview id it created."
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True, help_text="Also the sender's lease clock.")
    completed_at = models.DateTimeField(
        "completed", null=True, blank=True, help_text="When it succeeded, was skipped or went dead."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "write-back"
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="writeback_due_idx"),
            models.Index(fields=["connection", "action"], name="writeback_by_action"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk} ({self.state})"


class WritebackAttempt(models.Model):
    """One send of a write-back: what happened, for the people who have to explain it later."""

    writeback = models.ForeignKey(
        Writeback, on_delete=models.CASCADE, related_name="send_attempts", verbose_name="write-back"
    )
    started_at = models.DateTimeField("started")
    finished_at = models.DateTimeField(
        "finished", null=True, blank=True, help_text="Empty: the worker never reported back."
    )
    outcome = models.CharField("outcome", max_length=200, blank=True, help_text="Succeeded, retry, dead, ...")
    http_status = models.PositiveIntegerField(
        "HTTP status", null=True, blank=True, help_text="Of iCIMS's last answer in this attempt; empty: no answer."
    )
    error = models.TextField("error", blank=True, help_text="Why the attempt did not succeed.")
    response_headers = models.JSONField(
        "response headers",
        default=dict,
        blank=True,
        help_text="Only iCIMS's request id, rate-limit and location headers: nothing secret.",
    )

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = "write-back attempt"

    def __str__(self) -> str:
        return f"attempt at {self.started_at:%Y-%m-%d %H:%M:%S}: {self.outcome or 'unfinished'}"
