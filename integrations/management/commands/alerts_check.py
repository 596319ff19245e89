"""`manage.py alerts_check`: evaluate every alert rule now and send what it queued (what the beat tick does)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from integrations.services.alert_notifications_send import alert_notifications_send
from integrations.services.alerts_evaluate import alerts_evaluate


class Command(BaseCommand):
    help = "Evaluate every alert rule now: store each connection's health, open and resolve alerts, notify."

    def handle(self, *args, **options) -> None:
        evaluation = alerts_evaluate()
        if evaluation.skipped:
            self.stdout.write("Another alerts tick is running; nothing evaluated.")
            return
        self.stdout.write(
            f"Checked {evaluation.connections} connection(s): {evaluation.opened} alert(s) opened, "
            f"{evaluation.resolved} resolved, {evaluation.still_open} still open."
        )
        sent = alert_notifications_send()
        self.stdout.write(
            f"Notifications: {sent.sent} sent, {sent.skipped} skipped (no recipient), {sent.failed} failed for good."
        )
