"""Delivering events to the platform: retried with back-off until delivered (once), given up after
about 3 days, never sent twice at once, a failing endpoint disabled with an alert, and Replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from integrations.models import Alert, AlertKind, AlertNotification, PlatformWebhookDelivery, PlatformWebhookEndpoint
from integrations.services.alert_notifications_send import alert_notification_text
from integrations.services.platform_webhook_deliver import platform_webhook_claim, platform_webhook_replay
from integrations.services.platform_webhook_endpoints import platform_webhook_endpoint_update
from integrations.services.platform_webhook_events import platform_webhook_event_emit
from integrations.services.platform_webhooks_sweep import platform_webhooks_sweep

pytestmark = pytest.mark.django_db(transaction=True)


def _emit(workflow_id="10002"):
    return platform_webhook_event_emit(
        event_type="scheduling_request.cancelled",
        data={"scheduling_request_id": 1, "workflow_id": workflow_id},
    )


def test_an_endpoint_answering_500_three_times_gets_the_event_once_with_one_id(
    endpoint, receiver, fast_retries, tasks_run_inline
):
    receiver.answers = [500, 500, 500]

    message = _emit()

    assert [r.status for r in receiver.received] == [500, 500, 500, 200]
    assert {r.headers["webhook-id"] for r in receiver.received} == {message.event_id}
    assert sum(r.status == 200 for r in receiver.received) == 1
    for received in receiver.received:  # every retry is signed afresh, and verifies
        Webhook(endpoint[1]).verify(received.body, received.headers)
    delivery = PlatformWebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 4, 200)
    log = list(delivery.send_attempts.order_by("started_at", "pk"))
    assert [a.response_status for a in log] == [500, 500, 500, 200]
    assert log[0].error == "The endpoint answered HTTP 500." and log[0].next_attempt_at is not None
    assert log[0].request_body == log[-1].request_body
    assert "webhook-signature" not in log[0].request_headers


def test_retries_back_off_for_at_least_three_days_then_the_delivery_is_dead(endpoint, receiver, settings):
    delays = settings.PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS
    assert sum(delays) >= 3 * 24 * 3600
    assert list(delays) == sorted(delays)  # never sooner than the last time
    settings.PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS = (1,)
    receiver.answers = [503, 503]

    _emit()  # not inline: the test plays the worker
    delivery = PlatformWebhookDelivery.objects.get()
    from integrations.services.platform_webhook_deliver import platform_webhook_deliver

    first = platform_webhook_deliver(delivery_id=delivery.pk)
    assert first.state == "retrying" and first.next_attempt_at > timezone.now()
    assert platform_webhook_deliver(delivery_id=delivery.pk) is None  # not due yet: nothing sent
    PlatformWebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    second = platform_webhook_deliver(delivery_id=delivery.pk)
    assert (second.state, second.attempts, second.next_attempt_at) == ("dead", 2, None)
    assert len(receiver.received) == 2


def test_a_long_wait_is_left_to_the_sweep_which_sends_it_when_due(endpoint, receiver, settings, tasks_run_inline):
    settings.PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS = (3600,)
    receiver.answers = [500]

    _emit()
    delivery = PlatformWebhookDelivery.objects.get()
    assert delivery.state == "retrying" and len(receiver.received) == 1  # no countdown of an hour in the broker

    assert platform_webhooks_sweep().enqueued == 0
    assert len(receiver.received) == 1
    PlatformWebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert platform_webhooks_sweep().enqueued == 1
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and len(receiver.received) == 2


def test_one_event_is_never_being_sent_to_one_endpoint_twice_at_once(endpoint, receiver):
    _emit()
    delivery = PlatformWebhookDelivery.objects.get()

    first_worker, second_worker = (PlatformWebhookDelivery.objects.select_related("endpoint").get() for _ in "12")
    assert platform_webhook_claim(delivery=first_worker) is True
    assert platform_webhook_claim(delivery=second_worker) is False  # read before the claim, taken meanwhile
    assert platform_webhook_claim(delivery=first_worker) is False  # and nobody takes it twice
    assert platform_webhook_replay(delivery_ids=[delivery.pk]) == 0  # and Replay leaves it alone


def test_a_worker_lost_mid_delivery_is_rescued_by_the_sweep(endpoint, receiver, settings, tasks_run_inline):
    _emit()  # delivered inline
    delivery = PlatformWebhookDelivery.objects.get()
    PlatformWebhookDelivery.objects.filter(pk=delivery.pk).update(
        state="delivering",
        updated_at=timezone.now() - timedelta(seconds=settings.PLATFORM_WEBHOOK_DELIVERING_LEASE_SECONDS + 1),
    )

    result = platform_webhooks_sweep()

    assert (result.rescued, result.enqueued) == (1, 1)
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and len(receiver.received) == 2


def test_an_endpoint_that_keeps_failing_is_disabled_and_opens_an_alert(
    endpoint, receiver, settings, fast_retries, tasks_run_inline
):
    settings.PLATFORM_WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.PLATFORM_WEBHOOK_DISABLE_AFTER_SECONDS = 0
    receiver.answers = [500] * 100

    _emit()

    ep = PlatformWebhookEndpoint.objects.get()
    assert not ep.is_enabled
    assert "Disabled after 3 failed deliveries in a row" in ep.disabled_reason
    assert len(receiver.received) == 3  # nothing more once disabled
    alert = Alert.objects.get(kind=AlertKind.PLATFORM_WEBHOOK_DISABLED)
    assert alert.is_open and alert.connection is None and alert.platform_webhook_endpoint == ep
    assert receiver.url in alert.message
    notification = AlertNotification.objects.filter(alert=alert).first()
    subject, body = alert_notification_text(notification)
    assert "Alert opened" in body
    assert "platform webhook endpoint disabled on endpoint" in subject
    assert PlatformWebhookDelivery.objects.get().state == "retrying"  # held, not lost
    assert _emit("10003") is None  # a disabled endpoint is not sent new events

    # Someone fixes the receiver and enables the endpoint: the alert resolves, the held events go out.
    receiver.answers = []
    platform_webhook_endpoint_update(endpoint=ep, url=ep.url, event_types=[], description="", is_enabled=True)
    alert.refresh_from_db()
    assert not alert.is_open
    platform_webhooks_sweep()
    assert set(PlatformWebhookDelivery.objects.values_list("state", flat=True)) == {"delivered"}


def test_a_delivered_event_can_be_replayed(endpoint, receiver, tasks_run_inline):
    message = _emit()
    delivery = PlatformWebhookDelivery.objects.get()

    assert platform_webhook_replay(delivery_ids=[delivery.pk]) == 1

    assert [r.headers["webhook-id"] for r in receiver.received] == [message.event_id] * 2
    assert list(delivery.send_attempts.values_list("replay", flat=True).order_by("started_at", "pk")) == [False, True]


def test_only_endpoints_subscribed_to_a_type_get_it_and_none_means_no_row(receiver):
    from integrations.services.platform_webhook_endpoints import platform_webhook_endpoint_add

    assert _emit() is None  # no endpoint yet: nothing stored
    platform_webhook_endpoint_add(url=receiver.url, event_types=["connection.health_changed"])
    assert _emit() is None
    platform_webhook_endpoint_add(url=receiver.url, event_types=["scheduling_request.cancelled"])
    assert _emit().deliveries.count() == 1


def test_a_host_that_is_no_longer_allowed_gets_nothing(endpoint, receiver, settings, tasks_run_inline):
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = []

    _emit()

    assert receiver.received == []
    delivery = PlatformWebhookDelivery.objects.get()
    assert delivery.state == "retrying"
    assert "Nothing was sent" in delivery.last_error
