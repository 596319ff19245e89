"""`manage.py icims_connection add|update|list`: connections from the shell."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.models import Connection

ADD = [
    "add",
    "--name",
    "Globex",
    "--customer-id",
    "4242",
    "--webhook-auth",
    "hmac",
    "--webhook-key",
    "globex-hmac-key-0002",
]


def run(*args: str) -> str:
    out = StringIO()
    call_command("icims_connection", *args, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as raised:
        run(*args)
    return str(raised.value)


def test_add_without_client_credentials_uses_the_platform_clients(db):
    output = run(*ADD)

    connection = Connection.objects.get(customer_id="4242")
    assert connection.credential_mode == Connection.CredentialMode.PLATFORM
    assert connection.candidate_folders == ["Cand:Active"]
    assert connection.hourly_call_budget == 80_000
    assert "Created connection Globex (4242)." in output
    assert "https://a.goodtime.io/v2/ats/webhook/icims" in output


def test_add_with_every_option(db, monkeypatch):
    monkeypatch.setenv("GLOBEX_SECRET", "globex-client-secret-0001")

    output = run(
        "add",
        "--name",
        "Globex",
        "--customer-id",
        "4242",
        "--stream-id",
        "s-1",
        "--region",
        "EU",
        "--client-id",
        "globex-client",
        "--client-secret-env",
        "GLOBEX_SECRET",
        "--writeback-client-id",
        "globex-writer",
        "--writeback-client-secret",
        "globex-writer-secret-0003",
        "--api-url",
        "https://api.dev.icims.com",
        "--token-url",
        "https://login.dev.icims.com/oauth/token",
        "--stream-url",
        "https://stream.dev.icims.com",
        "--webhook-auth",
        "basic",
        "--webhook-username",
        "icims",
        "--webhook-password",
        "globex-webhook-pass-0004",
        "--candidate-folders",
        "Cand:Active, Cand:Gold",
        "--user-folders",
        "HM:Active",
        "--hourly-budget",
        "5000",
        "--interview-sync",
        "--feedback",
        "--auto-advance",
        "--paused",
    )

    connection = Connection.objects.get(customer_id="4242")
    assert connection.credential_mode == Connection.CredentialMode.CUSTOMER
    assert connection.data_credentials() == ("globex-client", "globex-client-secret-0001")
    assert connection.writeback_credentials() == ("globex-writer", "globex-writer-secret-0003")
    assert connection.api_url == "https://api.dev.icims.com"
    assert connection.token_url == "https://login.dev.icims.com/oauth/token"
    assert connection.stream_url == "https://stream.dev.icims.com"
    assert (connection.region, connection.stream_id, connection.hourly_call_budget) == ("eu", "s-1", 5000)
    assert connection.candidate_folders == ["Cand:Active", "Cand:Gold"]
    assert connection.user_folders == ["HM:Active"]
    assert connection.interview_sync_enabled and connection.feedback_enabled and connection.auto_advance_enabled
    assert not connection.is_active
    assert connection.webhook_password == "globex-webhook-pass-0004"
    assert "biz-collab-feedback-service:forms:ro" in output
    assert "`icims_connection test --customer-id 4242` finds the data stream" in output
    assert "secret-000" not in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client-id", "globex-client"], "--client-secret: Option 2 needs the customer's client secret"),
        (["--client-secret", "s3cret-value-0001"], "--client-id: Option 2 needs the customer's client id."),
        (["--webhook-auth", "basic"], "--webhook-username: Basic webhook authentication needs a username."),
        (["--hourly-budget", "0"], "--hourly-budget: The hourly call budget must be at least 1."),
        (["--candidate-folders", " , "], "--candidate-folders: Name at least one folder."),
        (["--api-url", "not-a-url"], "--api-url: Enter a valid URL."),
        (["--client-secret-env", "NO_SUCH_VARIABLE_SET"], "the environment variable NO_SUCH_VARIABLE_SET is not set"),
        (["--client-secret", ""], "--client-secret is empty"),
        (["--by", "nobody"], "--by: there is no user 'nobody'."),
    ],
)
def test_add_with_bad_input_says_why_and_creates_nothing(db, args, message):
    assert message in refused(*ADD, *args)
    assert not Connection.objects.exists()
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "mars"], "invalid choice: 'mars'"),
        (["--hourly-budget", "lots"], "expected a whole number, got 'lots'"),
        (["--client-secret", "a", "--client-secret-env", "B"], "not allowed with argument"),
    ],
)
def test_malformed_options_are_refused_before_anything_happens(db, args, message):
    assert message in refused(*ADD, *args)
    assert not Connection.objects.exists()


def test_a_subcommand_is_required(db):
    assert "subcommand" in refused()


def test_add_refuses_a_customer_id_that_is_not_digits(db):
    args = [*ADD]
    args[args.index("--customer-id") + 1] = "acme-12x"

    assert "--customer-id: The CustomerId is a number iCIMS assigned, digits only" in refused(*args)
    assert not Connection.objects.exists()


def test_add_refuses_a_customer_id_already_registered(ready_connection):
    assert "--customer-id: Connection with this CustomerId already exists." in refused(
        "add", "--name", "Acme again", "--customer-id", "2187", "--webhook-username", "u", "--webhook-password", "p"
    )
    assert Connection.objects.count() == 1


def test_add_and_update_are_recorded_in_the_admin_history_without_secrets(db, superadmin):
    run(*ADD, "--by", "root")
    run("update", "--customer-id", "4242", "--webhook-key", "rotated-hmac-key-0009", "--stream-id", "s-2")

    added, changed = LogEntry.objects.order_by("pk")
    assert added.user == superadmin
    assert changed.user.username == "shell"
    assert json.loads(changed.change_message) == [{"changed": {"fields": ["StreamId", "Webhook HMAC key"]}}]
    assert "rotated-hmac-key-0009" not in changed.change_message


def test_update_changes_only_what_is_given_and_keeps_secrets(ready_connection):
    output = run("update", "--customer-id", "2187", "--hourly-budget", "100", "--no-interview-sync", "--paused")

    ready_connection.refresh_from_db()
    assert ready_connection.hourly_call_budget == 100
    assert not ready_connection.is_active
    assert ready_connection.name == "Acme"
    assert ready_connection.client_secret == "acme-secret-value-1234"
    assert ready_connection.webhook_password == "acme-webhook-password-5678"
    assert "Updated Acme (2187): hourly call budget, active." in output


def test_update_with_nothing_new_says_so(ready_connection):
    assert "Nothing changed for Acme (2187)." in run("update", "--customer-id", "2187", "--name", "Acme")


def test_update_can_switch_to_the_platform_clients(ready_connection):
    run("update", "--customer-id", "2187", "--platform-credentials")

    ready_connection.refresh_from_db()
    assert ready_connection.credential_mode == Connection.CredentialMode.PLATFORM


def test_update_clears_a_secret_only_when_asked(ready_connection):
    ready_connection.webhook_hmac_key_previous = "previous-hmac-key-4321"
    ready_connection.save()

    run("update", "--customer-id", "2187", "--clear-secret", "webhook-previous-key")

    ready_connection.refresh_from_db()
    assert ready_connection.webhook_hmac_key_previous == ""
    assert ready_connection.client_secret == "acme-secret-value-1234"


def test_update_refuses_to_clear_a_secret_the_connection_needs(ready_connection):
    message = refused("update", "--customer-id", "2187", "--clear-secret", "client-secret", "--stream-id", "s-9")

    assert "--client-secret: Option 2 needs the customer's client secret (none is stored)." in message
    ready_connection.refresh_from_db()
    assert ready_connection.client_secret == "acme-secret-value-1234"
    assert ready_connection.stream_id == "stream-acme"


def test_update_of_an_unknown_customer_id_is_refused(db):
    assert "No connection has CustomerId 999." in refused("update", "--customer-id", "999", "--paused")


def test_update_refuses_platform_clients_together_with_a_client_id(ready_connection):
    assert "--platform-credentials cannot be combined" in refused(
        "update", "--customer-id", "2187", "--platform-credentials", "--client-id", "x"
    )


def test_list_shows_every_connection_without_secrets(ready_connection):
    run(*ADD)

    output = run("list")

    lines = output.splitlines()
    assert lines[0].split() == [
        "NAME",
        "CUSTOMER",
        "ID",
        "REGION",
        "STATE",
        "CREDENTIALS",
        "WEBHOOK",
        "AUTH",
        "ONBOARDING",
    ]
    assert lines[1].split() == ["Acme", "2187", "us", "active", "acme-client", "••••1234", "basic", "2/8"]
    assert lines[2].split() == ["Globex", "4242", "us", "active", "platform", "clients", "hmac", "1/8"]
    for secret in ("acme-secret-value-1234", "acme-webhook-password-5678", "globex-hmac-key-0002"):
        assert secret not in output


def test_list_with_no_connections_says_how_to_add_one(db):
    assert "No connections yet" in run("list")


def test_the_trigger_mode_is_set_from_the_shell(db):
    run(*ADD, "--trigger-mode", "shadow")
    assert Connection.objects.get(customer_id="4242").trigger_mode == "shadow"
    run("update", "--customer-id", "4242", "--trigger-mode", "live")
    assert Connection.objects.get(customer_id="4242").trigger_mode == "live"
    assert "--trigger-mode" in refused("update", "--customer-id", "4242", "--trigger-mode", "sometimes")


def test_invite_prints_a_one_time_link_once_and_keeps_only_its_hash(ready_connection, settings):
    from integrations.models import CredentialLink
    from integrations.services.credential_links import credential_link_hash

    settings.PORTAL_URL = "https://portal.example.com/"
    output = run("invite", "--customer-id", ready_connection.customer_id, "--expires", "3d")

    url = next(line.strip() for line in output.splitlines() if "/credentials/" in line)
    assert url.startswith("https://portal.example.com/credentials/gtc_")
    link = CredentialLink.objects.get()
    assert link.token_hash == credential_link_hash(url.rstrip("/").rsplit("/", 1)[1])
    assert round((link.expires_at - link.created_at).total_seconds() / 3600) == 72
    assert "Data-stream:stream:read" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customer-id", "9999"], "No connection has CustomerId 9999"),
        (["--customer-id", "2187", "--expires", "5m"], "between 10 minutes and"),
        (["--customer-id", "2187", "--expires", "60d"], "between 10 minutes and"),
    ],
)
def test_invite_with_bad_input_says_why_and_makes_no_link(ready_connection, args, message):
    from integrations.models import CredentialLink

    assert message in refused("invite", *args)
    assert not CredentialLink.objects.exists()


def test_invite_refuses_a_duration_it_cannot_read(ready_connection):
    with pytest.raises(CommandError, match="expected a duration"):
        run("invite", "--customer-id", "2187", "--expires", "soon")
