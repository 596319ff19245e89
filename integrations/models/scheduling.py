"""Scheduling requests: a candidate opened for scheduling by a trigger status in iCIMS."""

from __future__ import annotations

from django.db import models

from .connections import Connection
from .stages import Stage
from .webhooks import WebhookEvent


class SchedulingRequest(models.Model):
    """One per applicant workflow and connection: the scheduling platform's unit of work."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        OPENED = "opened", "opened"
        SCHEDULED = "scheduled", "scheduled"
        CANCELLED = "cancelled", "cancelled"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="scheduling_requests", verbose_name="connection"
    )
    workflow_id = models.CharField(
        "workflow id", max_length=64, help_text="The iCIMS applicant workflow (the candidate's application)."
    )
    candidate_id = models.CharField("candidate id", max_length=64, help_text="The iCIMS person id of the candidate.")
    job_id = models.CharField("job id", max_length=64, help_text="The iCIMS job id.")
    trigger_stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        related_name="scheduling_requests",
        verbose_name="trigger stage",
        help_text="The trigger status the candidate was moved into.",
    )
    state = models.CharField("state", max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    last_event = models.ForeignKey(
        WebhookEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="last event",
        help_text="The event that last created or refreshed this request.",
    )
    opened_at = models.DateTimeField("opened", null=True, blank=True)
    scheduled_at = models.DateTimeField("scheduled", null=True, blank=True)
    cancelled_at = models.DateTimeField("cancelled", null=True, blank=True)
    advance_outcome = models.TextField(
        "auto-advance outcome",
        blank=True,
        help_text="What happened to the auto-advance when the request was opened, or why it did not happen.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "workflow_id"], name="scheduling_request_one_per_workflow"),
        ]
        indexes = [models.Index(fields=["connection", "state"], name="scheduling_request_by_state")]

    def __str__(self) -> str:
        return f"workflow {self.workflow_id} ({self.state})"
