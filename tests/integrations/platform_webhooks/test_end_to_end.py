"""The whole path to the scheduling platform: a recruiter moves a candidate in the (sandbox) iCIMS tenant,
iCIMS posts the status change to the portal, a worker opens a scheduling request, and the platform's
endpoint (a real HTTP server here) receives a signed `scheduling_request.created` that the Standard
Webhooks reference library verifies."""

from __future__ import annotations

import json

import pytest
import responses
from standardwebhooks import Webhook

from integrations.models import PlatformWebhookDelivery, SchedulingRequest, WebhookEvent
from integrations.sandbox import SandboxTenant
from integrations.sandbox.clock import SandboxClock
from integrations.sandbox.webhooks import WebhookTarget
from integrations.services.webhook_events_queue_new import webhook_events_queue_new
from tests.conftest import SANDBOX_START, SANDBOX_URL
from tests.integrations.conftest import TRIGGER, WEBHOOK_PATH, WORKFLOW_ID

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tenant_posting_to_the_portal(live_server, receiver):
    """The seeded sandbox tenant, in-process, notifying the live portal; the portal's own outbound
    POSTs (to the receiver) and the tenant's (to the portal) go over real sockets."""
    tenant = SandboxTenant.seeded(
        candidates=300,
        users=20,
        jobs=40,
        workflows=400,
        seed=7,
        clock=SandboxClock(SANDBOX_START),
        base_url=SANDBOX_URL,
    )
    tenant.webhook = WebhookTarget(url=f"{live_server.url}{WEBHOOK_PATH}")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        tenant.install(rsps, base_url=SANDBOX_URL)
        rsps.add_passthru(live_server.url)
        rsps.add_passthru(f"http://{receiver.host}")
        yield tenant


def test_a_sandbox_status_change_reaches_the_platform_signed(
    tenant_posting_to_the_portal, sandbox_connection, sandbox_stages, endpoint, receiver, tasks_run_inline
):
    _, secret = endpoint

    notified = tenant_posting_to_the_portal.change_status(int(WORKFLOW_ID), TRIGGER)
    assert notified.status_code == 200
    webhook_events_queue_new(limit=10)  # what the urgent worker's listener does when the row appears

    assert WebhookEvent.objects.get().state == WebhookEvent.State.PROCESSED
    request = SchedulingRequest.objects.get()
    [received] = receiver.received
    payload = Webhook(secret).verify(received.body, received.headers)
    assert payload["type"] == "scheduling_request.created"
    assert payload["version"] == 1
    assert payload["data"]["scheduling_request_id"] == request.pk
    assert payload["data"]["workflow_id"] == WORKFLOW_ID
    assert payload["data"]["url"].endswith(f"/api/v1/scheduling-requests/{request.pk}/")
    assert received.headers["webhook-signature"].startswith("v1,")
    delivery = PlatformWebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.message.event_id) == (
        "delivered",
        1,
        received.headers["webhook-id"],
    )


def test_a_signature_made_with_another_secret_is_refused_by_the_library(
    tenant_posting_to_the_portal, sandbox_connection, sandbox_stages, endpoint, receiver, tasks_run_inline
):
    from standardwebhooks import WebhookVerificationError

    from integrations.services.platform_webhook_endpoints import platform_webhook_secret_generate

    tenant_posting_to_the_portal.change_status(int(WORKFLOW_ID), TRIGGER)
    webhook_events_queue_new(limit=10)

    [received] = receiver.received
    with pytest.raises(WebhookVerificationError):
        Webhook(platform_webhook_secret_generate()).verify(received.body, received.headers)
    tampered = json.loads(received.body) | {"type": "scheduling_request.cancelled"}
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint[1]).verify(json.dumps(tampered), received.headers)
