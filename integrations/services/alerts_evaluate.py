"""Evaluate every alert rule now: store each connection's health, open, keep or resolve its alerts.

An alert opens the first tick its problem is seen, and notifies once. While the problem stays, the
alert stays open and quiet. Once the problem is gone, the alert waits ALERT_RESOLVE_AFTER_SECONDS
of clear ticks before it resolves and notifies again; a problem back within that wait keeps the
same alert open, so a flapping condition never sends a storm.

Sending is not done here: notifications are rows (an outbox) that `alert_notifications_send`
delivers afterwards, so a slow or broken mail server or chat webhook never holds up evaluation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Alert, AlertKind, AlertNotification, Connection
from ..selectors.connection_health import connections_health
from .connection_health_refresh import connection_health_rows_save
from .icims_clients import icims_shared_state

logger = logging.getLogger(__name__)


# One tick at a time on every machine: two at once would both try to open the same alerts.
TICK_LOCK = "alerts:tick"
TICK_LOCK_SECONDS = 300


@dataclass(frozen=True)
class AlertsEvaluation:
    connections: int = 0
    opened: int = 0
    resolved: int = 0
    still_open: int = 0
    notifications_queued: int = 0
    skipped: bool = False  # another tick held the lock


def _channels() -> list[str]:
    return [AlertNotification.Channel.EMAIL, AlertNotification.Channel.WEBHOOK]


def _notifications(alert: Alert, event: str, now: datetime) -> list[AlertNotification]:
    """One row per channel; the sender decides whether a channel has anyone to reach."""
    if alert.muted_until and alert.muted_until > now:
        return []
    return [AlertNotification(alert=alert, event=event, channel=channel) for channel in _channels()]


def _muted_until(connection_id: int, kind: str, now: datetime) -> datetime | None:
    """A mute outlives the alert it was set on: the same rule reopening on the same connection stays muted."""
    latest = (
        Alert.objects.filter(connection_id=connection_id, kind=kind, muted_until__gt=now)
        .order_by("-muted_until")
        .values_list("muted_until", flat=True)
        .first()
    )
    return latest


def alerts_evaluate(*, now: datetime | None = None) -> AlertsEvaluation:
    lock = icims_shared_state()
    if not lock.add(TICK_LOCK, "1", ttl=TICK_LOCK_SECONDS):
        logger.info("Another alerts tick is running; this one does nothing")
        return AlertsEvaluation(skipped=True)
    try:
        return _evaluate(now=now or timezone.now())
    finally:
        lock.delete(TICK_LOCK)


def _evaluate(*, now: datetime) -> AlertsEvaluation:
    reports = connections_health(connections=Connection.objects.all(), now=now)
    resolve_after = timedelta(seconds=settings.ALERT_RESOLVE_AFTER_SECONDS)
    opened, resolved, kept, notifications = [], [], [], []
    with transaction.atomic():
        connection_health_rows_save(reports=reports, now=now)
        open_alerts = {
            (alert.connection_id, alert.kind): alert
            for alert in Alert.objects.select_for_update().filter(resolved_at__isnull=True)
        }
        for connection_id, report in reports.items():
            problems = {p.kind: p for p in report.problems if p.kind in AlertKind.values} if report.alerting else {}
            for kind in AlertKind.values:
                alert, problem = open_alerts.pop((connection_id, kind), None), problems.get(kind)
                if problem is not None and alert is None:
                    alert = Alert.objects.create(
                        connection_id=connection_id,
                        kind=kind,
                        message=problem.message,
                        opened_at=now,
                        last_seen_at=now,
                        muted_until=_muted_until(connection_id, kind, now),
                    )
                    opened.append(alert)
                    notifications += _notifications(alert, AlertNotification.Event.OPENED, now)
                elif problem is not None:
                    alert.message, alert.last_seen_at, alert.clear_since = problem.message, now, None
                    kept.append(alert)
                elif alert is not None:
                    alert.clear_since = alert.clear_since or now
                    if now - alert.clear_since >= resolve_after:
                        alert.resolved_at = now
                        resolved.append(alert)
                        notifications += _notifications(alert, AlertNotification.Event.RESOLVED, now)
                    else:
                        kept.append(alert)
        # Alerts of connections that no longer exist are gone with them (cascade); nothing is left over.
        Alert.objects.bulk_update(
            kept + resolved, ["message", "last_seen_at", "clear_since", "resolved_at"], batch_size=500
        )
        AlertNotification.objects.bulk_create(notifications)
    for alert in opened:
        logger.warning("Alert opened: %s on connection %s: %s", alert.kind, alert.connection_id, alert.message)
    for alert in resolved:
        logger.info("Alert resolved: %s on connection %s", alert.kind, alert.connection_id)
    return AlertsEvaluation(
        connections=len(reports),
        opened=len(opened),
        resolved=len(resolved),
        still_open=len(kept),
        notifications_queued=len(notifications),
    )
