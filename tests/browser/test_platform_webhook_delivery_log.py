"""A super admin reads an endpoint's delivery log in a real browser: what was sent, what came back, and
presses Replay on a delivery to send it again."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from goodtime_icims.celery import app as celery_app
from integrations.models import PlatformWebhookDelivery
from integrations.services.platform_webhook_endpoints import platform_webhook_endpoint_add
from integrations.services.platform_webhook_events import platform_webhook_event_emit
from tests.integrations.platform_webhooks.receiver import serve_receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver(settings):
    receiver, server = serve_receiver(answers=[500])
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = [receiver.host]
    settings.PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS = (0, 0, 0)
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def deliveries_inline():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_the_delivery_log_shows_request_and_answer_and_replays(
    browser, log_in, screenshot, superadmin, receiver, deliveries_inline
):
    endpoint = platform_webhook_endpoint_add(url=receiver.url, description="Scheduling platform (staging)").endpoint
    message = platform_webhook_event_emit(
        event_type="scheduling_request.created", data={"scheduling_request_id": 7, "workflow_id": "10002"}
    )
    assert [r.status for r in receiver.received] == [500, 200]  # retried once, delivered

    log_in("root", "pw-root")
    browser.get(browser.url(f"/admin/integrations/platformwebhookendpoint/{endpoint.pk}/change/"))
    browser.find_element(By.LINK_TEXT, "deliveries").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    assert len(rows) == 1 and message.event_id in rows[0].text and "delivered" in rows[0].text
    screenshot("log")

    rows[0].find_element(By.CSS_SELECTOR, "th a, td a").click()
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "The endpoint answered HTTP 500." in page
    assert '"workflow_id":"10002"' in page and message.event_id in page
    assert '{"ok": true}' in page  # the answer the platform gave

    browser.find_element(By.CSS_SELECTOR, "#replay-delivery button[type=submit]").click()

    assert "1 delivery(ies) sent again." in browser.find_element(By.CSS_SELECTOR, "ul.messagelist li").text
    assert len(receiver.received) == 3 and receiver.received[-1].headers["webhook-id"] == message.event_id
    delivery = PlatformWebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("delivered", 3)
    assert len(browser.find_elements(By.CSS_SELECTOR, ".inline-related h3")) == 3
    screenshot("replayed")
