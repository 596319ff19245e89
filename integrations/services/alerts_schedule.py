"""The name of the alerts tick's beat entry (goodtime_icims/beat.py holds every entry)."""

from __future__ import annotations

ALERTS_PERIODIC_TASK_NAME = "Alerts: evaluate every rule"
