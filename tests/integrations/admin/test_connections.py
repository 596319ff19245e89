"""The connection admin, as the super admin, the CSM and an anonymous visitor use it."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse

from integrations.models import Connection, Stage
from tests.undecryptable import secret_no_key_decrypts

from .connection_form_data import connection_form_data

ADD_URL = reverse("admin:integrations_connection_add")
LIST_URL = reverse("admin:integrations_connection_changelist")

STORED_SECRETS = ("acme-secret-value-1234", "acme-webhook-password-5678")


def change_url(connection: Connection) -> str:
    return reverse("admin:integrations_connection_change", args=[connection.pk])


def history_url(connection: Connection) -> str:
    return reverse("admin:integrations_connection_history", args=[connection.pk])


def form_errors(response) -> dict:
    assert response.status_code == 200, "expected the form back with errors"
    return dict(response.context["adminform"].form.errors)


# -- anonymous -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, ready_connection):
    for url in (LIST_URL, ADD_URL, change_url(ready_connection)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


# -- super admin: creating -------------------------------------------------------------------------


def test_a_super_admin_registers_a_tenant_with_its_own_credentials(superadmin_client, superadmin):
    response = superadmin_client.post(ADD_URL, connection_form_data(region="eu", interview_sync_enabled="on"))

    assert response.status_code == 302
    connection = Connection.objects.get(customer_id="4242")
    assert connection.credential_mode == Connection.CredentialMode.CUSTOMER
    assert connection.data_credentials() == ("globex-client", "globex-client-secret-0001")
    assert connection.webhook_password == "globex-webhook-password-0002"
    assert connection.region == "eu"
    assert connection.interview_sync_enabled
    assert connection.user_folders == ["HM:Active", "Emp:Current Employee"]
    entry = LogEntry.objects.get(object_id=str(connection.pk))
    assert (entry.action_flag, entry.user) == (ADDITION, superadmin)


def test_a_tenant_on_the_platform_clients_needs_no_client_secret(superadmin_client):
    response = superadmin_client.post(
        ADD_URL, connection_form_data(credential_mode="platform", client_id="", client_secret="")
    )

    assert response.status_code == 302
    connection = Connection.objects.get(customer_id="4242")
    assert connection.credential_mode == Connection.CredentialMode.PLATFORM
    assert connection.client_secret == ""


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"client_id": ""}, "client_id", "Option 2 needs the customer's client id."),
        ({"client_secret": ""}, "client_secret", "Option 2 needs the customer's client secret"),
        ({"writeback_client_id": "second"}, "writeback_client_secret", "A second client id needs its secret"),
        ({"writeback_client_secret": "second-secret"}, "writeback_client_id", "A second client secret needs"),
        ({"webhook_username": ""}, "webhook_username", "Basic webhook authentication needs a username."),
        ({"webhook_password": ""}, "webhook_password", "Basic webhook authentication needs a password"),
        ({"webhook_auth": "hmac"}, "webhook_hmac_key", "HMAC webhook authentication needs a key"),
        ({"candidate_folders": " , \n "}, "candidate_folders", "Name at least one folder."),
        ({"user_folders": ""}, "user_folders", "Name at least one folder."),
        ({"hourly_call_budget": "0"}, "hourly_call_budget", "at least 1"),
    ],
)
def test_a_connection_that_cannot_work_is_refused_with_the_reason(superadmin_client, overrides, field, message):
    response = superadmin_client.post(ADD_URL, connection_form_data(**overrides))

    errors = form_errors(response)
    assert any(message in error for error in errors[field]), errors
    assert not Connection.objects.exists()


def test_a_rejected_form_does_not_echo_the_secrets_typed_into_it(superadmin_client):
    response = superadmin_client.post(ADD_URL, connection_form_data(hourly_call_budget="0"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "globex-client-secret-0001" not in html
    assert "globex-webhook-password-0002" not in html


def test_hmac_webhooks_need_only_a_key(superadmin_client):
    response = superadmin_client.post(
        ADD_URL,
        connection_form_data(webhook_auth="hmac", webhook_username="", webhook_password="", webhook_hmac_key="k" * 32),
    )

    assert response.status_code == 302
    assert Connection.objects.get(customer_id="4242").webhook_hmac_key == "k" * 32


def test_folders_are_typed_one_per_line_or_comma_separated(superadmin_client):
    superadmin_client.post(
        ADD_URL, connection_form_data(candidate_folders=" Cand:Active ,Cand:Silver\n\nCand:Gold, Cand:Active")
    )

    assert Connection.objects.get(customer_id="4242").candidate_folders == ["Cand:Active", "Cand:Silver", "Cand:Gold"]


# -- super admin: the change page -------------------------------------------------------------------


def test_the_change_page_shows_no_secret_only_its_last_four_characters(superadmin_client, ready_connection):
    html = superadmin_client.get(change_url(ready_connection) + "?tab=settings").content.decode()

    for secret in STORED_SECRETS:
        assert secret not in html
    assert "Stored: ••••1234. Leave blank to keep." in html
    assert "Stored: ••••5678. Leave blank to keep." in html
    assert 'name="client_secret"' in html
    assert 'type="password"' in html


def test_the_change_page_shows_the_scopes_to_ask_for_and_the_webhook_url(superadmin_client, ready_connection):
    ready_connection.region = "eu"
    ready_connection.feedback_enabled = True
    ready_connection.save()

    html = superadmin_client.get(change_url(ready_connection)).content.decode()

    assert "https://eu.goodtime.io/v2/ats/webhook/icims" in html
    assert "biz-collab-feedback-service:feedbackReq:rw" in html
    assert "interview-service:interview:create" not in html


def test_the_host_overrides_sit_in_a_collapsed_advanced_section(superadmin_client, ready_connection):
    adminform = superadmin_client.get(change_url(ready_connection)).context["adminform"]

    advanced = next(fieldset for fieldset in adminform if fieldset.name == "Advanced")
    assert "collapse" in advanced.classes
    assert [line.fields for line in advanced] == [["api_url_override"], ["token_url_override"], ["stream_url_override"]]


def test_a_listener_host_is_refused_on_its_field(superadmin_client, settings):
    settings.ICIMS_ALLOWED_HOSTS = [".icims.com"]

    response = superadmin_client.post(
        ADD_URL, connection_form_data(token_url_override="http://127.0.0.1:9999/oauth/token")
    )

    assert "127.0.0.1:9999 is not an iCIMS host" in form_errors(response)["token_url_override"][0]
    assert not Connection.objects.exists()


def test_changing_the_token_url_asks_for_the_secret_again(superadmin_client, ready_connection):
    data = connection_form_data(ready_connection, token_url_override="https://login.dev.icims.com/oauth/token")

    response = superadmin_client.post(change_url(ready_connection), data)

    assert "enter this secret again" in form_errors(response)["client_secret"][0]
    ready_connection.refresh_from_db()
    assert ready_connection.token_url_override == ""


def test_a_blank_secret_keeps_the_stored_one(superadmin_client, ready_connection):
    data = connection_form_data(ready_connection, name="Acme 2")

    response = superadmin_client.post(change_url(ready_connection), data)

    assert response.status_code == 302
    ready_connection.refresh_from_db()
    assert ready_connection.name == "Acme 2"
    assert ready_connection.client_secret == "acme-secret-value-1234"
    assert ready_connection.webhook_password == "acme-webhook-password-5678"


def test_a_new_secret_replaces_the_stored_one(superadmin_client, ready_connection):
    superadmin_client.post(
        change_url(ready_connection), connection_form_data(ready_connection, client_secret="rotated-secret-9999")
    )

    ready_connection.refresh_from_db()
    assert ready_connection.client_secret == "rotated-secret-9999"


def test_a_secret_is_cleared_only_by_ticking_clear(superadmin_client, ready_connection):
    ready_connection.webhook_hmac_key_previous = "previous-hmac-key-4321"
    ready_connection.save()

    superadmin_client.post(
        change_url(ready_connection), connection_form_data(ready_connection, webhook_hmac_key_previous_clear="on")
    )

    ready_connection.refresh_from_db()
    assert ready_connection.webhook_hmac_key_previous == ""
    assert ready_connection.client_secret == "acme-secret-value-1234"


def test_clearing_a_secret_the_connection_needs_is_refused(superadmin_client, ready_connection):
    response = superadmin_client.post(
        change_url(ready_connection), connection_form_data(ready_connection, client_secret_clear="on")
    )

    assert "Option 2 needs the customer's client secret (none is stored)." in form_errors(response)["client_secret"]
    ready_connection.refresh_from_db()
    assert ready_connection.client_secret == "acme-secret-value-1234"


def test_clearing_and_typing_a_secret_at_once_is_refused(superadmin_client, ready_connection):
    response = superadmin_client.post(
        change_url(ready_connection),
        connection_form_data(ready_connection, client_secret="new-secret-0000", client_secret_clear="on"),
    )

    assert "Enter a new value or clear the stored one, not both." in form_errors(response)["client_secret"]
    ready_connection.refresh_from_db()
    assert ready_connection.client_secret == "acme-secret-value-1234"


def test_the_history_says_which_secret_changed_but_never_its_value(superadmin_client, ready_connection):
    ready_connection.webhook_hmac_key_previous = "previous-hmac-key-4321"
    ready_connection.save()
    superadmin_client.post(
        change_url(ready_connection),
        connection_form_data(
            ready_connection, client_secret="rotated-secret-9999", webhook_hmac_key_previous_clear="on"
        ),
    )

    entry = LogEntry.objects.get(object_id=str(ready_connection.pk), action_flag=CHANGE)
    [message] = json.loads(entry.change_message)
    assert sorted(message["changed"]["fields"]) == ["Client secret", "Previous webhook HMAC key"]
    html = superadmin_client.get(history_url(ready_connection)).content.decode()
    assert "Changed" in html
    assert "Previous webhook HMAC key" in html
    for secret in ("rotated-secret-9999", "previous-hmac-key-4321", *STORED_SECRETS):
        assert secret not in html
        assert secret not in entry.change_message


def test_secrets_are_kept_out_of_the_logs(superadmin_client, ready_connection, caplog):
    caplog.set_level("DEBUG")

    superadmin_client.post(
        change_url(ready_connection), connection_form_data(ready_connection, client_secret="rotated-secret-9999")
    )

    assert "Acme" in caplog.text
    assert "rotated-secret-9999" not in caplog.text


# -- onboarding ------------------------------------------------------------------------------------


def test_the_change_page_shows_the_onboarding_checklist(superadmin_client, ready_connection):
    Stage.objects.create(connection=ready_connection, bin="Screen", status="Phone screen")

    response = superadmin_client.get(change_url(ready_connection))

    html = response.content.decode()
    assert "✔ <strong>iCIMS StreamId</strong>: stream-acme" in html
    assert "✔ <strong>Bins and statuses imported</strong>" in html
    assert "✘ <strong>Trigger statuses chosen</strong>: not done yet" in html
    assert "✘ <strong>Initial sync done</strong>: not done yet" in html


def test_the_list_shows_onboarding_progress(superadmin_client, ready_connection):
    html = superadmin_client.get(LIST_URL).content.decode()

    assert "2/8" in html


def test_one_connections_undecryptable_secret_leaves_the_list_and_the_others_pages_working(
    superadmin_client, ready_connection
):
    broken = Connection.objects.create(name="Broken key", customer_id="4040", client_secret="s3cret")
    secret_no_key_decrypts(broken)

    listed = superadmin_client.get(LIST_URL)

    assert listed.status_code == 200
    assert "Broken key" in listed.content.decode() and ready_connection.name in listed.content.decode()
    assert superadmin_client.get(change_url(ready_connection)).status_code == 200


# -- pause and resume ------------------------------------------------------------------------------


def test_pausing_and_resuming_from_the_list_reports_what_was_done(superadmin_client, ready_connection):
    other = Connection.objects.create(name="Other", customer_id="77", is_active=False)
    pause = {"action": "pause", "_selected_action": [ready_connection.pk, other.pk]}

    response = superadmin_client.post(LIST_URL, pause, follow=True)

    assert "Paused 1 connection(s) (1 already paused)." in response.content.decode()
    ready_connection.refresh_from_db()
    assert not ready_connection.is_active
    [entry] = LogEntry.objects.filter(object_id=str(ready_connection.pk))
    assert json.loads(entry.change_message) == [{"changed": {"fields": ["Active"]}}]

    response = superadmin_client.post(LIST_URL, {**pause, "action": "resume"}, follow=True)

    assert "Resumed 2 connection(s)." in response.content.decode()
    assert Connection.objects.filter(is_active=True).count() == 2


def test_a_super_admin_can_delete_a_connection(superadmin_client, ready_connection):
    url = reverse("admin:integrations_connection_delete", args=[ready_connection.pk])

    response = superadmin_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not Connection.objects.exists()


# -- CSM -------------------------------------------------------------------------------------------


def test_a_csm_sees_the_list_of_connections(csm_client, ready_connection):
    response = csm_client.get(LIST_URL)

    assert response.status_code == 200
    assert "Acme" in response.content.decode()


def test_a_csm_cannot_see_credentials(csm_client, ready_connection):
    ready_connection.webhook_hmac_key_previous = "previous-hmac-key-4321"
    ready_connection.save()

    response = csm_client.get(change_url(ready_connection))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme" in html
    assert "https://a.goodtime.io/v2/ats/webhook/icims" in html
    for shown in ("acme-client", "icims-acme", "••••", "Stored:", "previous-hmac-key-4321", *STORED_SECRETS):
        assert shown not in html
    adminform = response.context["adminform"]
    assert "Credentials" not in [fieldset.name for fieldset in adminform]
    shown_fields = {name for fieldset in adminform for line in fieldset for name in line.fields}
    assert not shown_fields & {
        "credential_mode",
        "client_id",
        "client_secret",
        "writeback_client_id",
        "writeback_client_secret",
        "webhook_username",
        "webhook_password",
        "webhook_hmac_key",
        "webhook_hmac_key_previous",
    }


def test_a_csm_cannot_change_a_connection(csm_client, ready_connection):
    response = csm_client.post(
        change_url(ready_connection), connection_form_data(ready_connection, client_secret="csm-typed-secret")
    )

    assert response.status_code == 403
    ready_connection.refresh_from_db()
    assert ready_connection.client_secret == "acme-secret-value-1234"


def test_a_csm_cannot_add_or_delete_or_pause_connections(csm_client, ready_connection):
    assert csm_client.get(ADD_URL).status_code == 403
    assert csm_client.post(ADD_URL, connection_form_data()).status_code == 403
    delete_url = reverse("admin:integrations_connection_delete", args=[ready_connection.pk])
    assert csm_client.post(delete_url, {"post": "yes"}).status_code == 403
    csm_client.post(LIST_URL, {"action": "pause", "_selected_action": [ready_connection.pk]})
    assert Connection.objects.filter(customer_id="4242").count() == 0
    ready_connection.refresh_from_db()
    assert ready_connection.is_active


def test_a_webhook_username_another_connection_uses_is_refused_on_its_field(superadmin_client, ready_connection):
    response = superadmin_client.post(ADD_URL, connection_form_data(webhook_username=ready_connection.webhook_username))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["webhook_username"] == [
        "Another connection already uses this webhook username; give each its own."
    ]
    assert "Constraint" not in response.content.decode()
    assert Connection.objects.count() == 1


def test_a_new_connection_starts_with_the_guides_folders(superadmin_client):
    form = superadmin_client.get(ADD_URL).context["adminform"].form

    assert form["candidate_folders"].value() == "Cand:Active"
    assert form["user_folders"].value() == "HM:Active\nEmp:Current Employee"


def test_labels_say_iCIMS_never_ICIMS(superadmin_client, ready_connection):
    for url in ("/admin/", ADD_URL, change_url(ready_connection), "/admin/sync/icimsuser/", "/admin/sync/job/"):
        assert "ICIMS" not in superadmin_client.get(url).content.decode(), url
