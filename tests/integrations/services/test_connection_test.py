"""Testing a connection says in plain words what works and what does not."""

from __future__ import annotations

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.icims.budget import Purpose
from integrations.icims.errors import IcimsAuthError
from integrations.models import Connection
from integrations.services.connection_test import connection_test
from integrations.services.icims_clients import icims_client_for
from tests.fixtures.icims import icims_fixture
from tests.integrations.icims.support import CUSTOMER_URL, STREAM_URL, TOKEN_URL

SUBSCRIPTION = "b62922f4c1e94b0f8e0f2d8a7c3b5e61"


@pytest.fixture
def stream_listing(icims):
    icims.get(f"{STREAM_URL}/streams/", json=icims_fixture("stream_streams"))
    icims.get(f"{STREAM_URL}/streams/2187/subscriptions", json=icims_fixture("stream_subscriptions"))


@pytest.mark.parametrize(("stream_id", "named"), [("2187", "a stream"), (SUBSCRIPTION, "a subscription")])
def test_a_stream_id_naming_a_stream_or_a_subscription_resolves_and_is_stored(
    connection, icims, token_endpoint, stream_listing, stream_id, named
):
    connection.stream_id = stream_id
    connection.save()
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))

    result = connection_test(connection=connection, by="root")

    assert result.ok
    assert [check.name for check in result.checks] == ["token", "customer", "data stream"]
    assert f"names {named}" in result.check("data stream").detail
    connection.refresh_from_db()
    assert connection.credentials_verified_at is not None
    assert connection.resolved_data_stream == ("2187", SUBSCRIPTION)
    assert connection.last_test_result["by"] == "root"
    assert [c["ok"] for c in connection.last_test_result["checks"]] == [True, True, True]


def test_a_typoed_stream_id_fails_and_names_the_ids_that_exist(connection, icims, token_endpoint, stream_listing):
    connection.stream_id = "b62922f4c1e94b0f8e0f2d8a7c3b5e6"  # one character short
    connection.save()
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))

    result = connection_test(connection=connection)

    assert not result.ok
    detail = result.check("data stream").detail
    assert "names no stream and no subscription" in detail
    assert f"stream 2187 (subscriptions: {SUBSCRIPTION})" in detail
    connection.refresh_from_db()
    assert connection.resolved_data_stream is None
    assert connection.credentials_verified_at is None
    assert connection.last_test_result["ok"] is False


def test_a_stream_with_several_subscriptions_asks_for_the_subscription(connection, icims, token_endpoint):
    connection.stream_id = "2187"
    connection.save()
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))
    icims.get(f"{STREAM_URL}/streams/", json=["2187"])
    icims.get(
        f"{STREAM_URL}/streams/2187/subscriptions",
        json=[{"subscriptionId": "a" * 32}, {"subscriptionId": "b" * 32}],
    )

    result = connection_test(connection=connection)

    assert "has 2 subscriptions" in result.check("data stream").detail
    assert "set the StreamId to the subscription id" in result.check("data stream").detail


def test_a_wrong_secret_says_so_and_checks_nothing_else(connection, icims):
    icims.post(TOKEN_URL, status=401, json=icims_fixture("token_refused"))

    result = connection_test(connection=connection)

    assert not result.ok
    assert len(result.checks) == 1
    assert "the secret is wrong" in result.summary()
    assert "acme-secret-value-1234" not in result.summary()
    connection.refresh_from_db()
    assert connection.credentials_verified_at is None


def test_an_unreachable_customer_says_it_could_not_reach_the_api(connection, icims, token_endpoint):
    icims.get(CUSTOMER_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))

    result = connection_test(connection=connection)

    assert not result.ok
    assert "could not reach the iCIMS API at https://api.icims.com" in result.summary()


def test_an_unknown_customer_says_to_check_the_customer_id(connection, icims, token_endpoint):
    icims.get(CUSTOMER_URL, status=404, json=icims_fixture("error_not_found"))

    result = connection_test(connection=connection)

    assert "customer 2187 was not found" in result.summary()


def test_access_denied_points_at_the_ip_allow_list(connection, icims, token_endpoint):
    icims.get(CUSTOMER_URL, status=404, json=icims_fixture("error_access_denied"))

    result = connection_test(connection=connection)

    assert not result.ok
    assert "allow-list our egress IP addresses" in result.summary()


def test_no_data_stream_access_says_to_ask_icims(connection, icims, token_endpoint):
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))
    icims.get(f"{STREAM_URL}/streams/", status=403, body=b"Forbidden")

    result = connection_test(connection=connection)

    assert not result.ok
    assert result.checks[0].ok and result.checks[1].ok
    assert "no data stream access" in result.checks[2].detail
    connection.refresh_from_db()
    assert connection.credentials_verified_at is None


def test_a_connection_without_stream_id_is_not_asked_for_the_data_stream(connection, icims, token_endpoint):
    connection.stream_id = ""
    connection.save()
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))

    result = connection_test(connection=connection)

    assert result.ok
    assert "syncs by search" in result.checks[2].detail


def test_the_command_exits_non_zero_and_says_why(connection, icims, capsys):
    icims.post(TOKEN_URL, status=401, json=icims_fixture("token_refused"))

    with pytest.raises(CommandError, match="does not work"):
        call_command("icims_connection", "test", "--customer-id", "2187")

    assert "the secret is wrong" in capsys.readouterr().out


def test_the_command_reports_success(connection, icims, token_endpoint, stream_listing, capsys):
    connection.stream_id = SUBSCRIPTION
    connection.save()
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))

    call_command("icims_connection", "test", "--customer-id", "2187")

    assert "works" in capsys.readouterr().out


def test_the_command_rejects_an_unknown_customer_id(db):
    with pytest.raises(CommandError, match="No connection has CustomerId 999"):
        call_command("icims_connection", "test", "--customer-id", "999")


def test_a_customer_id_that_is_not_digits_fails_with_a_clear_error(connection, icims, token_endpoint):
    Connection.objects.filter(pk=connection.pk).update(customer_id="acme-12x")  # a row from before the rule
    connection.refresh_from_db()

    result = connection_test(connection=connection)

    assert not result.ok
    assert "CustomerId 'acme-12x' is not a number" in result.check("customer").detail


# -- against the sandbox tenant: the test cannot lie -------------------------------------------------


def test_a_wrong_secret_after_a_good_test_fails_at_once(sandbox, sandbox_connection):
    assert connection_test(connection=sandbox_connection).ok

    sandbox_connection.client_secret = "sandbox-secreT"
    sandbox_connection.save()
    result = connection_test(connection=sandbox_connection)

    assert not result.ok
    assert result.checks[0].name == "token" and "the secret is wrong" in result.checks[0].detail
    assert result.features[0].shown_to_work is False


def test_a_revoked_secret_evicts_the_cached_token_so_the_sync_fails_too(sandbox, sandbox_connection):
    assert connection_test(connection=sandbox_connection).ok
    sandbox.credentials.clients = {}  # iCIMS disabled the client; the cached token would still pass

    assert not connection_test(connection=sandbox_connection).ok
    client = icims_client_for(connection=sandbox_connection, purpose=Purpose.LIVE, sleep=lambda _: None)
    with pytest.raises(IcimsAuthError):
        client.get_customer()


def test_the_write_back_client_is_checked_when_feedback_is_on(sandbox, sandbox_connection):
    sandbox_connection.feedback_enabled = sandbox_connection.interview_sync_enabled = True
    sandbox_connection.save()

    result = connection_test(connection=sandbox_connection)

    assert result.ok, result.summary()
    assert "the feedback service lists" in result.check("write-back client").detail
    assert [(f.feature, f.shown_to_work) for f in result.features] == [
        ("sync and webhooks", True),
        ("interview sync back", True),
        ("feedback forms", True),
    ]
    assert "feedbackReq:rw" in result.summary()


def test_a_refused_write_back_client_says_which_scopes_are_not_shown_to_work(sandbox, sandbox_connection):
    sandbox_connection.interview_sync_enabled = True
    sandbox_connection.writeback_client_id = "writeback-client"
    sandbox_connection.writeback_client_secret = "not-known-to-icims"
    sandbox_connection.save()

    result = connection_test(connection=sandbox_connection)

    assert not result.ok
    assert "refused the client id 'writeback-client'" in result.check("write-back client").detail
    assert [(f.feature, f.shown_to_work) for f in result.features] == [
        ("sync and webhooks", True),
        ("interview sync back", False),
    ]


def test_interviews_alone_are_checked_by_reading_an_interview_that_cannot_exist(sandbox, sandbox_connection):
    sandbox_connection.interview_sync_enabled = True
    sandbox_connection.save()

    result = connection_test(connection=sandbox_connection)

    assert result.ok, result.summary()
    assert result.check("write-back client").detail == "token issued; the interview service accepts it."
    assert [(f.feature, f.shown_to_work) for f in result.features][-1] == ("interview sync back", True)
