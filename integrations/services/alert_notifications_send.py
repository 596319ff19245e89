"""Deliver queued alert notifications: e-mail through Django's mail, chat through a Slack-compatible webhook.

Each row is claimed by a conditional UPDATE, so two senders never send the same one. A failed send
stays pending and is tried again by the next call (each alerts tick), up to
ALERT_NOTIFICATION_MAX_ATTEMPTS, then is left failed. The error kept and logged names what failed,
never the webhook URL (its path is the secret) nor a mail password.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from ..models import AlertNotification, AlertSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationsSent:
    sent: int
    skipped: int
    failed: int


class NoRecipient(Exception):
    """The channel has nobody to reach: the notification is skipped, not failed."""


def alert_notification_text(notification: AlertNotification) -> tuple[str, str]:
    """(subject, body): one line each, readable in a chat message and an e-mail alike."""
    alert = notification.alert
    connection = alert.connection
    about = f"{connection.name} ({connection.customer_id})" if connection is not None else alert.subject
    if notification.event == AlertNotification.Event.OPENED:
        subject = f"[goodtime-icims] {alert.get_kind_display()} on {about}"
        body = f"Alert opened: {alert.message}"
    else:
        subject = f"[goodtime-icims] Resolved: {alert.get_kind_display()} on {about}"
        body = f"Alert resolved after {_duration(alert)}; last seen: {alert.message}"
    if settings.PORTAL_URL:
        body += "\n" + settings.PORTAL_URL.rstrip("/") + reverse("admin:integrations_alert_change", args=[alert.pk])
    return subject, body


def _duration(alert) -> str:
    minutes = int((alert.resolved_at - alert.opened_at).total_seconds() // 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def _email_recipients(notification: AlertNotification) -> list[str]:
    recipients = list(settings.ALERT_EMAIL_RECIPIENTS)
    with contextlib.suppress(AlertSettings.DoesNotExist, AttributeError):  # AttributeError: no connection
        recipients += notification.alert.connection.alert_settings.recipients()
    return list(dict.fromkeys(recipients))


def _send_email(notification: AlertNotification) -> None:
    recipients = _email_recipients(notification)
    if not recipients:
        raise NoRecipient("no e-mail recipient configured")
    subject, body = alert_notification_text(notification)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)


def _send_webhook(notification: AlertNotification) -> None:
    if not settings.ALERT_WEBHOOK_URL:
        raise NoRecipient("ALERT_WEBHOOK_URL is not set")
    subject, body = alert_notification_text(notification)
    response = requests.post(
        settings.ALERT_WEBHOOK_URL,
        json={"text": f"{subject}\n{body}"},
        timeout=settings.ALERT_WEBHOOK_TIMEOUT_SECONDS,
    )
    if not response.ok:
        raise requests.HTTPError(f"the chat webhook answered HTTP {response.status_code}")


SENDERS = {AlertNotification.Channel.EMAIL: _send_email, AlertNotification.Channel.WEBHOOK: _send_webhook}


def _safe_error(exc: Exception) -> str:
    # requests puts the URL (the webhook's secret) in its messages: keep only the kind of failure.
    if isinstance(exc, requests.HTTPError):
        return str(exc)
    if isinstance(exc, requests.RequestException):
        return f"{type(exc).__name__}: the chat webhook could not be reached"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def alert_notifications_send(*, limit: int = 200) -> NotificationsSent:
    sent = skipped = failed = 0
    pending = AlertNotification.objects.filter(state=AlertNotification.State.PENDING).select_related(
        "alert__connection__alert_settings"
    )[:limit]
    for notification in pending:
        claimed = AlertNotification.objects.filter(
            pk=notification.pk, state=AlertNotification.State.PENDING, attempts=notification.attempts
        ).update(attempts=F("attempts") + 1)
        if not claimed:
            continue
        notification.attempts += 1
        try:
            SENDERS[notification.channel](notification)
        except NoRecipient as reason:
            notification.state, notification.last_error = AlertNotification.State.SKIPPED, str(reason)
            skipped += 1
        except Exception as exc:  # any failure of one send is recorded; the others still go out
            notification.last_error = _safe_error(exc)
            if notification.attempts >= settings.ALERT_NOTIFICATION_MAX_ATTEMPTS:
                notification.state = AlertNotification.State.FAILED
                failed += 1
            logger.warning(
                "Alert notification %s (%s, attempt %d) failed: %s",
                notification.pk,
                notification.channel,
                notification.attempts,
                notification.last_error,
            )
        else:
            notification.state, notification.sent_at, notification.last_error = (
                AlertNotification.State.SENT,
                timezone.now(),
                "",
            )
            sent += 1
        notification.save(update_fields=["state", "sent_at", "last_error"])
    return NotificationsSent(sent=sent, skipped=skipped, failed=failed)
