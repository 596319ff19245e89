"""A status change notifies the portal like iCIMS does: a gzip'd WorkFlowStatusChangeEvent, Basic or HMAC."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
import responses

from integrations.icims import hmac_signing
from integrations.sandbox.webhooks import WebhookTarget

from .conftest import CUSTOMER_URL

PORTAL_WEBHOOK = "https://portal.test/v2/ats/webhook/icims"


@pytest.fixture
def portal(rsps):
    rsps.add(responses.POST, PORTAL_WEBHOOK, status=200)
    return rsps


def _received(portal) -> tuple[dict, object]:
    request = next(call.request for call in portal.calls if call.request.url == PORTAL_WEBHOOK)
    return json.loads(gzip.decompress(request.body)), request


def test_a_status_change_posts_a_gzipped_event_with_basic_auth(tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK, auth="basic", username="icims", password="s3cret")
    workflow = tenant.workflows[10001]
    old_status = workflow.status.id

    delivery = tenant.change_status(10001, "C51218")

    event, request = _received(portal)
    assert delivery.status_code == 200
    assert request.headers["Content-Encoding"] == "gzip"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"icims:s3cret").decode()
    assert event == {
        "eventType": "WorkFlowStatusChangeEvent",
        "customerId": "1000",
        "systemId": "10001",
        "personId": str(workflow.person),
        "jobId": str(workflow.job),
        "userId": str(tenant.user_ids[0]),
        "oldStatus": old_status,
        "newStatus": "C51218",
        "links": [
            {
                "rel": "applicantWorkflow",
                "title": "Applicant Workflow",
                "url": f"{CUSTOMER_URL}/applicantworkflows/10001",
            },
            {"rel": "job", "title": "Job Profile", "url": f"{CUSTOMER_URL}/jobs/{workflow.job}"},
            {"rel": "person", "title": "Person Profile", "url": f"{CUSTOMER_URL}/people/{workflow.person}"},
            {"rel": "user", "title": "Posting User", "url": f"{CUSTOMER_URL}/people/{tenant.user_ids[0]}"},
        ],
    }
    assert (
        f'<{CUSTOMER_URL}/applicantworkflows/10001>;rel="applicantWorkflow";title="Applicant Workflow"'
        in (request.headers["Link"])
    )


def test_an_hmac_notification_verifies_with_the_shared_key(tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK, auth="hmac", hmac_user="icims", hmac_key="k3y")

    tenant.change_status(10002, "C51220")

    _, request = _received(portal)
    authorization = hmac_signing.parse_authorization(request.headers["Authorization"])
    assert authorization.user == "icims"
    assert hmac_signing.signature_matches(
        key="k3y",
        authorization=authorization,
        method="POST",
        path="/v2/ats/webhook/icims",
        query="",
        headers=request.headers,
        body=request.body,
    )
    assert not hmac_signing.signature_matches(
        key="other",
        authorization=authorization,
        method="POST",
        path="/v2/ats/webhook/icims",
        query="",
        headers=request.headers,
        body=request.body,
    )


def test_only_trigger_statuses_notify(tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK, trigger_status_ids=frozenset({"C51218"}))

    quiet = tenant.change_status(10003, "D10500")
    loud = tenant.change_status(10004, "C51218")

    assert quiet is None
    assert loud.event["systemId"] == "10004"
    assert len([call for call in portal.calls if call.request.url == PORTAL_WEBHOOK]) == 1


def test_notify_false_changes_the_status_silently(tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK)

    assert tenant.change_status(10005, "C51218", notify=False) is None
    assert tenant.workflows[10005].status.id == "C51218"
    assert not portal.calls


def test_numeric_status_ids_mimic_the_recorded_fixture(tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK, numeric_status_ids=True)

    delivery = tenant.change_status(10006, "C51218")

    assert delivery.event["newStatus"] == "51218"


def test_a_portal_that_is_down_is_recorded_not_raised(tenant, rsps):
    tenant.webhook = WebhookTarget(url="https://nowhere.test/v2/ats/webhook/icims")

    delivery = tenant.change_status(10007, "C51218")

    assert delivery.status_code is None
    assert delivery.error == "ConnectionError"
    assert tenant.webhook_deliveries == [delivery]


def test_patching_the_status_through_the_api_moves_the_candidate_without_notifying(api, tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK)
    tenant.clock.advance(minutes=3)

    response = api.patch(f"{CUSTOMER_URL}/applicantworkflows/10008", json={"status": {"id": "C51218"}})

    assert response.status_code == 204
    assert response.headers["Location"] == f"{CUSTOMER_URL}/applicantworkflows/10008"
    body = api.get(f"{CUSTOMER_URL}/applicantworkflows/10008?fields=status,updateddate").json()
    assert body["status"]["id"] == "C51218"
    assert body["updateddate"] == "2026-11-26 06:03 PM"
    assert [call for call in portal.calls if call.request.url == PORTAL_WEBHOOK] == []  # not for its own API's


def test_a_tenant_that_echoes_api_changes_notifies_for_a_patch_too(api, tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK, trigger_status_ids=None, echo_api_changes=True)

    api.patch(f"{CUSTOMER_URL}/applicantworkflows/10008", json={"status": {"id": "C51219"}})

    assert _received(portal)[0]["newStatus"] == "C51219"


def test_by_default_only_the_tenants_trigger_statuses_notify(tenant, portal):
    tenant.webhook = WebhookTarget(url=PORTAL_WEBHOOK)

    assert tenant.change_status(10003, "C51219") is None  # "Scheduled" is not a trigger
    assert tenant.change_status(10004, "C51220").event["newStatus"] == "C51220"


@pytest.mark.parametrize("body", [{"status": {"id": "C00000"}}, {"status": "C51218"}, {}])
def test_a_bad_status_patch_is_a_400_and_changes_nothing(api, tenant, body):
    before = tenant.workflows[10009].status

    response = api.patch(f"{CUSTOMER_URL}/applicantworkflows/10009", json=body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == 1
    assert tenant.workflows[10009].status == before
    assert tenant.events == []
