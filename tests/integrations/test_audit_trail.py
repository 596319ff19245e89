"""The audit trail: sign-ins, connection tests, secret changes, API tokens and the platform's API
actions, each with who did it (a person or the token), shown read-only to superusers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import AuditEvent
from integrations.services.api_tokens import api_token_create, api_token_revoke
from integrations.services.connection_save import connection_update
from integrations.services.connection_test import connection_test
from tests.integrations.api.conftest import api_client
from tests.integrations.api.test_scheduling_actions import INTERVIEW

pytestmark = pytest.mark.django_db


def trail(**filters) -> list[tuple[str, str]]:
    return [(event.action, event.summary) for event in AuditEvent.objects.filter(**filters).order_by("pk")]


def test_sign_ins_failed_sign_ins_and_sign_outs_are_recorded(client, csm):
    client.post(reverse("admin:login"), {"username": "casey", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    client.post(reverse("admin:login"), {"username": "casey", "password": "pw-casey"}, REMOTE_ADDR="203.0.113.9")
    client.post(reverse("admin:logout"), REMOTE_ADDR="203.0.113.9")

    events = list(AuditEvent.objects.order_by("pk"))
    assert [(event.action, event.actor_name, event.address) for event in events] == [
        ("sign_in_failed", "casey", "203.0.113.9"),
        ("sign_in", "casey", "203.0.113.9"),
        ("sign_out", "casey", "203.0.113.9"),
    ]
    assert events[1].actor == csm


def test_a_connection_test_is_recorded_with_its_verdict_and_who_ran_it(superadmin_client, sandbox, sandbox_connection):
    superadmin_client.post(
        reverse("admin:integrations_connection_changelist"),
        {"action": "run_connection_test", "_selected_action": [sandbox_connection.pk]},
    )

    event = AuditEvent.objects.get(action="connection_test")
    assert event.summary == "Sandbox (1000): works"
    assert event.actor.username == "root"
    assert event.connection == sandbox_connection


def test_a_failed_connection_test_names_the_failing_check(connection, icims):
    icims.post("https://login.icims.com/oauth/token", status=401, json={"error": "invalid_client"})

    connection_test(connection=connection)

    assert trail(action="connection_test") == [("connection_test", "Acme (2187): failed at token")]


def test_secret_changes_are_recorded_as_changed_by_name_never_by_value(superadmin, ready_connection):
    connection_update(
        connection=ready_connection,
        changes={},
        new_secrets={"client_secret": "a-new-client-secret-7777"},
        cleared_secrets=[],
        actor=superadmin,
    )

    assert trail(action="secret_changed") == [("secret_changed", "Acme (2187): changed Client secret")]
    assert "a-new-client-secret-7777" not in str(list(AuditEvent.objects.values()))


def test_a_secret_changed_in_the_admin_is_recorded(superadmin_client, ready_connection):
    from tests.integrations.admin.connection_form_data import connection_form_data

    data = connection_form_data(ready_connection, webhook_password="another-webhook-password-1")
    superadmin_client.post(reverse("admin:integrations_connection_change", args=[ready_connection.pk]), data)

    assert trail(action="secret_changed") == [("secret_changed", "Acme (2187): changed Webhook password")]


def test_api_tokens_created_and_revoked_are_recorded(superadmin, connection):
    issued = api_token_create(name="platform EU", connections=[connection], created_by=superadmin)
    api_token_revoke(token=issued.token, actor=superadmin)

    events = list(AuditEvent.objects.order_by("pk"))
    assert [(event.action, event.actor, event.api_token) for event in events] == [
        ("api_token_created", superadmin, issued.token),
        ("api_token_revoked", superadmin, issued.token),
    ]
    assert issued.plaintext not in str(list(AuditEvent.objects.values()))


def test_the_platforms_api_actions_are_recorded_with_the_token(sandbox, pending, features_on):
    issued = api_token_create(name="platform", connections=[features_on])
    api = api_client(issued.plaintext)
    base = f"/api/v1/scheduling-requests/{pending.pk}/"

    api.post(base + "open/")
    api.post(base + "interviews/", INTERVIEW, format="json")
    api.patch(base + "interviews/gt-42/", {"title": "Moved"}, format="json")
    api.post(
        base + "feedback-requests/",
        {"form_id": "form-1", "interviewer_person_id": "5", "interview_external_id": "gt-42"},
        format="json",
    )
    api.delete(base + "interviews/gt-42/")
    api.post(base + "schedule/")
    api.post(base + "cancel/")

    events = AuditEvent.objects.filter(action="api_call").order_by("pk")
    assert [event.summary.split(" (")[0] for event in events] == [
        "open",
        "book interview gt-42",
        "change interview gt-42",
        "request feedback",
        "cancel interview gt-42",
        "schedule",
        "cancel",
    ]
    assert {event.api_token for event in events} == {issued.token}
    assert {event.connection for event in events} == {features_on}


def test_the_trail_is_read_only_and_for_superusers(superadmin_client, csm, connection):
    connection_test_event = AuditEvent.objects.create(action="connection_test", summary="x", connection=connection)
    change_url = reverse("admin:integrations_auditevent_change", args=[connection_test_event.pk])

    assert superadmin_client.get(reverse("admin:integrations_auditevent_changelist")).status_code == 200
    page = superadmin_client.get(change_url)
    assert page.status_code == 200
    assert b'name="summary"' not in page.content
    assert superadmin_client.post(change_url, {"summary": "edited"}).status_code == 403
    csm_client = Client()
    csm_client.force_login(csm)
    assert csm_client.get(reverse("admin:integrations_auditevent_changelist")).status_code == 403
