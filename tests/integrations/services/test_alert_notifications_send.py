"""Delivering alert notifications: each channel on its own, failures kept and retried, no secret in a log."""

from __future__ import annotations

import json
import logging

import pytest
import requests
import responses
from django_celery_beat.models import PeriodicTask

from integrations.models import Alert, AlertNotification, Writeback
from integrations.services.alert_notifications_send import alert_notifications_send
from integrations.services.alerts_evaluate import alerts_evaluate
from integrations.services.alerts_schedule import ALERTS_PERIODIC_TASK_NAME
from integrations.services.task_queue import ALERTS_CHECK
from integrations.tasks import alerts_check
from tests.integrations.health_world import tenant, writeback_in

pytestmark = pytest.mark.django_db
CHAT_URL = "https://hooks.chat.test/services/T000/B000/s3cr3t-path"


@pytest.fixture
def dead_writeback_alert(settings, db):
    settings.ALERT_EMAIL_RECIPIENTS = ["ops@example.com"]
    settings.ALERT_WEBHOOK_URL = CHAT_URL
    settings.ALERT_NOTIFICATION_MAX_ATTEMPTS = 3
    writeback_in(tenant("Acme", "2187"), state=Writeback.State.DEAD)
    alerts_evaluate()
    return Alert.objects.get()


def states() -> dict[str, str]:
    return dict(AlertNotification.objects.values_list("channel", "state"))


def test_a_chat_webhook_that_fails_is_retried_by_the_next_send_and_mail_goes_out_anyway(
    dead_writeback_alert, mailoutbox, caplog
):
    with responses.RequestsMock() as chat:
        chat.post(CHAT_URL, status=500)
        first = alert_notifications_send()
        chat.replace(responses.POST, CHAT_URL, json={"ok": True})
        second = alert_notifications_send()
        text = json.loads(chat.calls[-1].request.body)["text"]

    assert (first.sent, second.sent) == (1, 1)
    assert len(mailoutbox) == 1
    assert states() == {"email": "sent", "webhook": "sent"}
    assert text.startswith("[goodtime-icims] write-back dead on Acme")
    assert "the chat webhook answered HTTP 500" in caplog.text
    assert "s3cr3t" not in caplog.text


def test_an_unreachable_chat_webhook_never_shows_its_url_and_gives_up_after_the_last_attempt(
    dead_writeback_alert, mailoutbox, caplog
):
    caplog.set_level(logging.WARNING)
    with responses.RequestsMock() as chat:
        chat.post(CHAT_URL, body=requests.ConnectionError(f"Max retries exceeded with url: {CHAT_URL}"))
        results = [alert_notifications_send() for _ in range(4)]

    notification = AlertNotification.objects.get(channel="webhook")
    assert notification.state == "failed" and notification.attempts == 3
    assert notification.last_error == "ConnectionError: the chat webhook could not be reached"
    assert [r.failed for r in results] == [0, 0, 1, 0]
    assert "s3cr3t" not in caplog.text and "hooks.chat.test" not in caplog.text


def test_a_failing_mail_server_does_not_stop_the_chat_message(dead_writeback_alert, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nobody listens

    with responses.RequestsMock() as chat:
        chat.post(CHAT_URL, json={"ok": True})
        result = alert_notifications_send()

    assert result.sent == 1
    assert states() == {"email": "pending", "webhook": "sent"}
    assert AlertNotification.objects.get(channel="email").last_error.startswith("ConnectionRefusedError")


def test_a_channel_with_nobody_to_reach_is_skipped(dead_writeback_alert, settings, mailoutbox):
    settings.ALERT_EMAIL_RECIPIENTS, settings.ALERT_WEBHOOK_URL = [], ""

    result = alert_notifications_send()

    assert (result.sent, result.skipped) == (0, 2)
    assert states() == {"email": "skipped", "webhook": "skipped"}


def test_a_link_to_the_alert_goes_with_it_when_the_portal_url_is_known(dead_writeback_alert, settings, mailoutbox):
    settings.PORTAL_URL, settings.ALERT_WEBHOOK_URL = "https://portal.example.com/", ""

    alert_notifications_send()

    assert f"https://portal.example.com/admin/integrations/alert/{dead_writeback_alert.pk}/change/" in (
        mailoutbox[0].body
    )


def test_the_beat_tick_evaluates_and_hands_sending_to_a_task(settings, tasks_run_inline, mailoutbox, db):
    settings.ALERT_EMAIL_RECIPIENTS, settings.ALERT_WEBHOOK_URL = ["ops@example.com"], ""
    writeback_in(tenant("Acme", "2187"), state=Writeback.State.DEAD)

    alerts_check.delay()

    assert Alert.objects.filter(resolved_at__isnull=True).count() == 1
    assert len(mailoutbox) == 1


def test_the_tick_has_a_beat_entry_every_minute_that_expires_with_its_interval(db):
    entry = PeriodicTask.objects.get(name=ALERTS_PERIODIC_TASK_NAME)

    assert entry.task == ALERTS_CHECK == alerts_check.name
    assert (entry.interval.every, entry.interval.period, entry.expire_seconds) == (60, "seconds", 60)
