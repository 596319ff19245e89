"""The same delivery with the Procfile's real urgent worker on PostgreSQL and Redis: retries go back to the
broker as countdowns (no worker sleeps), and extra nudges of one delivery never send it twice."""

from __future__ import annotations

import pytest

from integrations.models import PlatformWebhookDelivery
from integrations.services.platform_webhook_events import (
    platform_webhook_deliveries_enqueue,
    platform_webhook_event_emit,
)
from tests.celery_workers import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_retries_three_500s_and_delivers_once(start_worker, endpoint, receiver):
    receiver.answers = [500, 500, 500]
    worker = start_worker(PLATFORM_WEBHOOK_ALLOWED_HOSTS=receiver.host, PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS="1,1,1,1")
    worker.wait_ready()

    message = platform_webhook_event_emit(event_type="scheduling_request.created", data={"scheduling_request_id": 1})
    delivery = PlatformWebhookDelivery.objects.get()
    platform_webhook_deliveries_enqueue(delivery_ids=[delivery.pk] * 3)  # stray nudges: a sweep, a replay

    wait_for(
        lambda: PlatformWebhookDelivery.objects.filter(pk=delivery.pk, state="delivered").exists(),
        what="the delivery",
    )
    assert [r.status for r in receiver.received] == [500, 500, 500, 200]
    assert {r.headers["webhook-id"] for r in receiver.received} == {message.event_id}
    delivery.refresh_from_db()
    assert delivery.attempts == 4
