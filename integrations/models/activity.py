"""Hourly rollups the charts and /metrics read, and the heartbeats of the background processes.

A chart reads one row per connection, hour and label, so it costs the same whether the tables
behind it hold a thousand rows or ten million.
"""

from __future__ import annotations

from django.db import models

from .connections import Connection


class HourlyActivity(models.Model):
    """What one connection did in one clock hour, for one series and label (e.g. webhook events, processed)."""

    class Series(models.TextChoices):
        DATA_AGE = "data_age", "data age at the end of a sync run (label: entity)"
        WEBHOOK_EVENTS = "webhook_events", "webhook events handled (label: final state)"
        WEBHOOK_TO_REQUEST = "webhook_to_request", "webhook received to scheduling request (label: started)"
        WRITEBACK_OUTCOMES = "writeback_outcomes", "write-back attempts (label: state after the attempt)"
        # Retention deletes old sync runs; their count lives on here, so /metrics' sync run counter never falls.
        SYNC_RUNS_PRUNED = "sync_runs_pruned", "sync runs deleted by retention (label: status)"

    connection = models.ForeignKey(
        Connection, on_delete=models.CASCADE, related_name="hourly_activity", verbose_name="connection"
    )
    hour = models.DateTimeField("hour", help_text="The start of the clock hour (UTC).")
    series = models.CharField("series", max_length=32, choices=Series.choices)
    label = models.CharField("label", max_length=32, help_text="The entity, state or outcome counted.")
    count = models.PositiveIntegerField("count", default=0)
    total_seconds = models.FloatField(
        "total seconds", default=0, help_text="Sum of the durations (data age, latency) observed, for averages."
    )
    max_seconds = models.FloatField("max seconds", default=0, help_text="The longest duration observed.")

    class Meta:
        ordering = ["-hour", "connection", "series", "label"]
        verbose_name = "hourly activity"
        verbose_name_plural = "hourly activity"
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "series", "hour", "label"], name="hourly_activity_unique_bucket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.hour:%Y-%m-%d %H:00} {self.series} {self.label}: {self.count}"


class ProcessHeartbeat(models.Model):
    """The last sign of life of a background process ("beat", "worker:<queue>"), read by /health/."""

    name = models.CharField("process", max_length=100, unique=True)
    beat_at = models.DateTimeField("last heartbeat")

    class Meta:
        ordering = ["name"]
        verbose_name = "process heartbeat"

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
