"""What the daily stage linter found for one connection (services/stages_lint.py)."""

from __future__ import annotations

from django.db import models

from .connections import Connection


class StageLintReport(models.Model):
    """The latest lint of a connection's stages against iCIMS and the webhooks it sent; one per connection."""

    connection = models.OneToOneField(Connection, on_delete=models.CASCADE, related_name="stage_lint")
    checked_at = models.DateTimeField("checked")
    missing_triggers = models.JSONField(
        "trigger statuses iCIMS no longer lists",
        default=list,
        help_text="[{stage, status_id}]: trigger stages whose status id the List API does not list.",
    )
    unknown_status_ids = models.JSONField(
        "status ids no stage knows",
        default=list,
        help_text="[{status_id, events, last_seen}]: seen in webhooks, matching no stage.",
    )
    note = models.TextField("note", blank=True, help_text="What could not be checked, and why.")

    class Meta:
        verbose_name = "stage lint report"

    def __str__(self) -> str:
        return f"Stage lint for {self.connection}"

    @property
    def finding_count(self) -> int:
        return len(self.missing_triggers) + len(self.unknown_status_ids)
