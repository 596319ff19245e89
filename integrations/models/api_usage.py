"""The ledger of iCIMS calls, by connection, hour and purpose."""

from __future__ import annotations

from django.db import models

from .connections import Connection


class ApiCallLedger(models.Model):
    """How many iCIMS calls one connection made in one clock hour for one purpose."""

    class Purpose(models.TextChoices):
        LIVE = "live", "live lookups"
        WRITEBACK = "writeback", "write-backs"
        WEBHOOK = "webhook", "webhook processing"
        SYNC = "sync", "sync"

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="api_call_ledger")
    hour = models.DateTimeField("hour", help_text="The start of the clock hour (UTC).")
    purpose = models.CharField("purpose", max_length=16, choices=Purpose.choices)
    calls = models.PositiveIntegerField("calls", default=0)
    failed_calls = models.PositiveIntegerField(
        "failed calls", default=0, help_text="Calls iCIMS answered with an error, or that got no answer."
    )

    class Meta:
        ordering = ["-hour", "connection", "purpose"]
        verbose_name = "calls to iCIMS"
        verbose_name_plural = "calls to iCIMS"
        constraints = [
            models.UniqueConstraint(fields=["connection", "hour", "purpose"], name="api_call_ledger_unique_bucket"),
        ]
        # Totals for today across every connection (/metrics, the connection list) read by hour.
        indexes = [models.Index(fields=["hour"], name="api_call_ledger_by_hour")]

    def __str__(self) -> str:
        return f"{self.connection} {self.hour:%Y-%m-%d %H:00} {self.purpose}: {self.calls}"
