"""Stages: a tenant's iCIMS bins and statuses."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .connections import Connection


class Stage(models.Model):
    """One iCIMS status (inside its bin): what GoodTime calls a stage."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="stages")
    bin = models.CharField("bin", max_length=200, help_text="The iCIMS bin the status belongs to.")
    status = models.CharField("status", max_length=200, help_text="The iCIMS status name.")
    status_id = models.CharField(
        "status id",
        max_length=64,
        blank=True,
        help_text="The iCIMS list node id, e.g. C51218. Needed to match webhooks and to advance candidates.",
    )
    position = models.PositiveIntegerField("position", default=0, help_text="Order in the imported file.")
    is_active = models.BooleanField(
        "active", default=True, help_text="Inactive: missing from the latest import. Kept, never deleted."
    )
    triggers_scheduling = models.BooleanField(
        "triggers scheduling",
        default=False,
        help_text="A candidate moved into this status is opened for scheduling.",
    )
    advance_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="advance to",
        help_text="Trigger statuses only: where the candidate is moved once opened for scheduling.",
    )
    created_at = models.DateTimeField("created", auto_now_add=True)
    updated_at = models.DateTimeField("updated", auto_now=True)

    class Meta:
        ordering = ["connection", "position", "bin", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "status_id"], condition=~Q(status_id=""), name="stage_unique_status_id"
            ),
            models.UniqueConstraint(
                fields=["connection", "bin", "status"], condition=Q(status_id=""), name="stage_unique_unnumbered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bin} / {self.status}"
