"""The webhook events admin: a read-only record, never showing a secret, replayable by super admins."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import WebhookEvent

CHANGELIST = "admin:integrations_webhookevent_changelist"
REPLAY_FAILED = "admin:integrations_webhookevent_replay_failed"


@pytest.fixture
def failed_event(connection):
    return WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        system_id="13437",
        payload={"eventType": "WorkFlowStatusChangeEvent", "systemId": "13437"},
        headers={"Authorization": "[redacted]", "User-Agent": "Apache-HttpClient/4.2.1"},
        dedupe_key="k1",
        state=WebhookEvent.State.FAILED,
        attempts=5,
        last_error="ConnectTimeout: iCIMS",
    )


def test_a_super_admin_lists_filters_and_searches_events(superadmin_client, failed_event):
    listing = superadmin_client.get(reverse(CHANGELIST))
    filtered = superadmin_client.get(reverse(CHANGELIST), {"state": "failed", "q": "13437"})
    empty = superadmin_client.get(reverse(CHANGELIST), {"state": "processed"})

    assert listing.status_code == 200
    assert "WorkFlowStatusChangeEvent" in listing.content.decode()
    assert "13437" in filtered.content.decode()
    assert empty.context["cl"].result_count == 0


def test_an_event_page_shows_the_payload_but_never_a_secret_header(superadmin_client, failed_event):
    failed_event.headers = {**failed_event.headers, "X-Api-Key": "leaked-if-shown"}  # a row stored unredacted
    failed_event.save()

    page = superadmin_client.get(reverse("admin:integrations_webhookevent_change", args=[failed_event.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert "Apache-HttpClient" in content
    assert "leaked-if-shown" not in content
    assert "[redacted]" in content


def test_an_event_posted_with_basic_auth_never_shows_its_credentials(superadmin_client, client, connection):
    connection.webhook_username, connection.webhook_password = "icims-acme", "pa55-word-in-admin"
    connection.save()
    token = base64.b64encode(b"icims-acme:pa55-word-in-admin").decode()
    client.post(
        "/v2/ats/webhook/icims",
        {"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )
    event = WebhookEvent.objects.get()

    page = superadmin_client.get(reverse("admin:integrations_webhookevent_change", args=[event.pk]))

    assert token not in page.content.decode()
    assert "pa55-word-in-admin" not in page.content.decode()


def test_events_cannot_be_added_edited_or_deleted(superadmin_client, failed_event):
    assert superadmin_client.get(reverse("admin:integrations_webhookevent_add")).status_code == 403
    response = superadmin_client.post(
        reverse("admin:integrations_webhookevent_change", args=[failed_event.pk]), {"state": "processed"}
    )
    failed_event.refresh_from_db()
    assert response.status_code == 403
    assert failed_event.state == WebhookEvent.State.FAILED
    assert (
        superadmin_client.get(reverse("admin:integrations_webhookevent_delete", args=[failed_event.pk])).status_code
        == 403
    )


def test_replay_selected_resets_the_events_and_says_how_many(
    superadmin_client, failed_event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = superadmin_client.post(
            reverse(CHANGELIST), {"action": "replay_selected", "_selected_action": [failed_event.pk]}, follow=True
        )

    failed_event.refresh_from_db()
    assert failed_event.state == WebhookEvent.State.RECEIVED
    assert len(callbacks) == 1
    assert "1 event(s) sent for processing again." in response.content.decode()


def test_replay_failed_since_a_time_replays_only_those(superadmin_client, failed_event, connection):
    older = WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id="2187",
        payload={},
        dedupe_key="k0",
        state=WebhookEvent.State.FAILED,
        received_at=timezone.now() - timedelta(days=3),
    )
    since = timezone.now() - timedelta(hours=1)

    form = superadmin_client.get(reverse(REPLAY_FAILED))
    response = superadmin_client.post(
        reverse(REPLAY_FAILED),
        {"since_0": since.strftime("%Y-%m-%d"), "since_1": since.strftime("%H:%M:%S"), "connection": ""},
        follow=True,
    )

    assert form.status_code == 200
    assert "1 failed event(s) sent for processing again." in response.content.decode()
    failed_event.refresh_from_db()
    older.refresh_from_db()
    assert (failed_event.state, older.state) == (WebhookEvent.State.RECEIVED, WebhookEvent.State.FAILED)


def test_replay_failed_without_a_time_says_what_is_missing_and_replays_nothing(superadmin_client, failed_event):
    response = superadmin_client.post(reverse(REPLAY_FAILED), {"since_0": "", "since_1": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    failed_event.refresh_from_db()
    assert failed_event.state == WebhookEvent.State.FAILED


def test_a_csm_sees_no_webhook_events(csm_client, failed_event):
    assert csm_client.get(reverse(CHANGELIST)).status_code == 403
    assert csm_client.get(reverse(REPLAY_FAILED)).status_code == 403


def test_events_are_found_by_connection_name_status_and_state_and_the_search_says_how(superadmin_client, failed_event):
    failed_event.new_status = "C51218"
    failed_event.save()

    def found(term: str) -> int:
        return superadmin_client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_count

    assert (found("acm"), found("C51218"), found("failed"), found("processed")) == (1, 1, 1, 0)
    page = superadmin_client.get(reverse(CHANGELIST)).content.decode()
    assert "an old or new status id (e.g. C51218)" in page
