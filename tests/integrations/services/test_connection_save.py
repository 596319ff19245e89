"""The rules every way of saving a connection goes through (admin and shell alike)."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError

from integrations.icims.destinations import DEFAULT_ALLOWED_HOSTS
from integrations.models import Connection
from integrations.services.connection_history import SHELL_ACTOR_USERNAME
from integrations.services.connection_save import (
    connection_create,
    connection_folders_parse,
    connection_update,
)

VALID = {
    "name": "Globex",
    "customer_id": "4242",
    "credential_mode": Connection.CredentialMode.CUSTOMER,
    "client_id": "globex-client",
    "webhook_auth": Connection.WebhookAuth.HMAC,
}
VALID_SECRETS = {"client_secret": "globex-client-secret-0001", "webhook_hmac_key": "globex-hmac-key-0002"}


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


@pytest.mark.parametrize(
    ("text", "folders"),
    [
        ("Cand:Active", ["Cand:Active"]),
        ("Cand:Active, Cand:Gold", ["Cand:Active", "Cand:Gold"]),
        (" HM:Active \r\n\nEmp:Current Employee\n", ["HM:Active", "Emp:Current Employee"]),
        ("A,A, a", ["A", "a"]),
        (" ,\n ", []),
    ],
)
def test_folders_are_read_one_per_line_or_comma_separated(text, folders):
    assert connection_folders_parse(text) == folders


def test_a_valid_connection_is_created_and_recorded_in_the_history(db):
    result = connection_create(changes=VALID, new_secrets=VALID_SECRETS)

    connection = Connection.objects.get(customer_id="4242")
    assert result.created
    assert connection.client_secret == "globex-client-secret-0001"
    entry = LogEntry.objects.get(object_id=str(connection.pk))
    assert entry.action_flag == ADDITION
    assert entry.user.username == SHELL_ACTOR_USERNAME


def test_the_shell_account_in_the_history_cannot_log_in(db):
    connection_create(changes=VALID, new_secrets=VALID_SECRETS)

    shell = LogEntry.objects.get().user
    assert not shell.is_active
    assert not shell.is_staff
    assert not shell.has_usable_password()


def test_the_history_names_the_person_when_given(db, superadmin):
    connection_create(changes=VALID, new_secrets=VALID_SECRETS, actor=superadmin)

    assert LogEntry.objects.get().user == superadmin


@pytest.mark.parametrize(
    ("changes", "secrets", "field"),
    [
        ({"client_id": ""}, {}, "client_id"),
        ({}, {"client_secret": ""}, "client_secret"),
        ({"writeback_client_id": "second"}, {}, "writeback_client_secret"),
        ({}, {"writeback_client_secret": "second-secret"}, "writeback_client_id"),
        ({"webhook_auth": Connection.WebhookAuth.BASIC}, {}, "webhook_username"),
        ({"webhook_auth": Connection.WebhookAuth.BASIC, "webhook_username": "u"}, {}, "webhook_password"),
        ({}, {"webhook_hmac_key": ""}, "webhook_hmac_key"),
        ({"candidate_folders": []}, {}, "candidate_folders"),
        ({"user_folders": [" HM:Active"]}, {}, "user_folders"),
        ({"user_folders": "HM:Active"}, {}, "user_folders"),
        ({"hourly_call_budget": 0}, {}, "hourly_call_budget"),
        ({"region": "mars"}, {}, "region"),
        ({"api_url_override": "not a url"}, {}, "api_url_override"),
    ],
)
def test_an_unworkable_connection_is_refused_and_nothing_is_written(db, changes, secrets, field):
    errors = errors_of(
        lambda: connection_create(changes={**VALID, **changes}, new_secrets={**VALID_SECRETS, **secrets})
    )

    assert field in errors
    assert not Connection.objects.exists()
    assert not LogEntry.objects.exists()


def test_the_platform_clients_need_no_client_id_or_secret(db):
    connection_create(
        changes={**VALID, "credential_mode": Connection.CredentialMode.PLATFORM, "client_id": ""},
        new_secrets={"webhook_hmac_key": "globex-hmac-key-0002"},
    )

    assert Connection.objects.get().credential_mode == Connection.CredentialMode.PLATFORM


def test_a_second_customer_id_is_refused(db, ready_connection):
    errors = errors_of(lambda: connection_create(changes={**VALID, "customer_id": "2187"}, new_secrets=VALID_SECRETS))

    assert "customer_id" in errors
    assert Connection.objects.count() == 1


def test_an_update_keeps_secrets_left_blank_and_records_only_what_changed(ready_connection):
    result = connection_update(
        connection=ready_connection, changes={"stream_id": "stream-2"}, new_secrets={"client_secret": ""}
    )

    assert result.changed_fields == ["stream_id"]
    ready_connection.refresh_from_db()
    assert ready_connection.client_secret == "acme-secret-value-1234"
    entry = LogEntry.objects.get(action_flag=CHANGE)
    assert json.loads(entry.change_message) == [{"changed": {"fields": ["ICIMS StreamId"]}}]


def test_an_update_that_changes_nothing_writes_nothing(ready_connection):
    before = Connection.objects.get(pk=ready_connection.pk).updated_at

    result = connection_update(connection=ready_connection, changes={"name": "Acme"}, new_secrets={})

    assert result.changed_fields == []
    assert Connection.objects.get(pk=ready_connection.pk).updated_at == before
    assert not LogEntry.objects.exists()


def test_a_cleared_secret_is_recorded_by_name_only(ready_connection):
    ready_connection.webhook_hmac_key_previous = "previous-hmac-key-4321"
    ready_connection.save()

    connection_update(connection=ready_connection, changes={}, cleared_secrets=["webhook_hmac_key_previous"])

    ready_connection.refresh_from_db()
    assert ready_connection.webhook_hmac_key_previous == ""
    entry = LogEntry.objects.get()
    assert json.loads(entry.change_message) == [{"changed": {"fields": ["Previous webhook HMAC key"]}}]
    assert "previous-hmac-key-4321" not in entry.change_message


def test_clearing_a_needed_secret_is_refused(ready_connection):
    errors = errors_of(
        lambda: connection_update(connection=ready_connection, changes={}, cleared_secrets=["webhook_password"])
    )

    assert errors["webhook_password"] == ["Basic webhook authentication needs a password (none is stored)."]
    assert Connection.objects.get().webhook_password == "acme-webhook-password-5678"


def test_replacing_and_clearing_a_secret_at_once_is_refused(ready_connection):
    errors = errors_of(
        lambda: connection_update(
            connection=ready_connection,
            changes={},
            new_secrets={"client_secret": "new-one-0000"},
            cleared_secrets=["client_secret"],
        )
    )

    assert errors == {"client_secret": ["Enter a new value or clear the stored one, not both."]}


def test_secrets_cannot_be_set_as_plain_changes(ready_connection):
    with pytest.raises(ValueError, match="client_secret"):
        connection_update(connection=ready_connection, changes={"client_secret": "sneaky"})


def test_saving_logs_the_connection_but_no_secret(db, caplog):
    caplog.set_level("DEBUG")

    connection_create(changes=VALID, new_secrets=VALID_SECRETS)

    assert "Globex" in caplog.text
    for secret in VALID_SECRETS.values():
        assert secret not in caplog.text


# -- secrets bound to iCIMS ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "url", "reason"),
    [
        ("token_url_override", "http://127.0.0.1:9999/oauth/token", "127.0.0.1:9999 is not an iCIMS host"),
        ("api_url_override", "https://evil.example", "evil.example:443 is not an iCIMS host"),
        ("stream_url_override", "http://stream.dev.icims.com/datastream/v2", "Use https:// for stream.dev.icims.com"),
        ("api_url_override", "https://169.254.169.254", "169.254.169.254:443 is not an iCIMS host"),
    ],
)
def test_a_url_outside_the_allow_list_is_refused_on_the_field(db, settings, field, url, reason):
    settings.ICIMS_ALLOWED_HOSTS = list(DEFAULT_ALLOWED_HOSTS)  # the tests' own list allows 127.0.0.1

    errors = errors_of(lambda: connection_create(changes={**VALID, field: url}, new_secrets=VALID_SECRETS))

    assert reason in errors[field][0]
    assert not Connection.objects.exists()


def test_an_icims_sandbox_url_is_accepted(db):
    connection_create(changes={**VALID, "api_url_override": "https://api.dev.icims.com"}, new_secrets=VALID_SECRETS)

    assert Connection.objects.get().api_url == "https://api.dev.icims.com"


@pytest.mark.parametrize(
    "changes",
    [
        {"token_url_override": "https://login.dev.icims.com/oauth/token"},
        {"api_url_override": "https://api.dev.icims.com"},
        {"stream_url_override": "https://stream.dev.icims.com/datastream/v2"},
        {"region": "eu"},
    ],
)
def test_moving_where_a_secret_goes_without_entering_it_again_is_refused(ready_connection, changes):
    errors = errors_of(lambda: connection_update(connection=ready_connection, changes=changes))

    assert errors == {
        "client_secret": [
            "The token, API or stream URL changed: enter this secret again to send it there (or clear it)."
        ]
    }
    assert Connection.objects.get().token_url == "https://login.icims.com/oauth/token"


def test_moving_where_a_secret_goes_with_the_secret_entered_again_is_saved(ready_connection):
    connection_update(
        connection=ready_connection,
        changes={"token_url_override": "https://login.dev.icims.com/oauth/token"},
        new_secrets={"client_secret": "acme-secret-value-1234"},
    )

    assert Connection.objects.get().token_url == "https://login.dev.icims.com/oauth/token"


def test_every_stored_client_secret_must_be_entered_again(ready_connection):
    ready_connection.writeback_client_id = "acme-writeback"
    ready_connection.writeback_client_secret = "acme-writeback-secret-9876"
    ready_connection.save()

    errors = errors_of(
        lambda: connection_update(
            connection=ready_connection,
            changes={"api_url_override": "https://api.dev.icims.com"},
            new_secrets={"client_secret": "acme-secret-value-1234"},
        )
    )

    assert list(errors) == ["writeback_client_secret"]


def test_the_platform_clients_secrets_are_not_asked_for(db):
    result = connection_create(
        changes={**VALID, "credential_mode": Connection.CredentialMode.PLATFORM, "client_id": ""},
        new_secrets={"webhook_hmac_key": "globex-hmac-key-0002"},
    )

    connection_update(connection=result.connection, changes={"api_url_override": "https://api.dev.icims.com"})

    assert Connection.objects.get().api_url == "https://api.dev.icims.com"
