"""Testing a connection says in plain words what works and what does not."""

from __future__ import annotations

import pytest
import requests
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.icims.destinations import DEFAULT_ALLOWED_HOSTS
from integrations.models import Connection
from integrations.services.connection_test import connection_test
from tests.fixtures.icims import icims_fixture
from tests.integrations.icims.support import CUSTOMER_URL, STREAM_URL, TOKEN_URL


def test_a_working_connection_passes_every_check_and_is_marked_verified(connection, icims, token_endpoint):
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))
    icims.get(f"{STREAM_URL}/streams/2187/subscriptions", json=icims_fixture("stream_subscriptions"))

    result = connection_test(connection=connection)

    assert result.ok
    assert [check.name for check in result.checks] == ["token", "customer", "data stream"]
    assert "1 subscription" in result.summary()
    connection.refresh_from_db()
    assert connection.credentials_verified_at is not None


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
    icims.get(f"{STREAM_URL}/streams/2187/subscriptions", status=403, body=b"Forbidden")

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


def test_the_command_reports_success(connection, icims, token_endpoint, capsys):
    icims.get(CUSTOMER_URL, json=icims_fixture("customer"))
    icims.get(f"{STREAM_URL}/streams/2187/subscriptions", json=icims_fixture("stream_subscriptions"))

    call_command("icims_connection", "test", "--customer-id", "2187")

    assert "works" in capsys.readouterr().out


def test_the_command_rejects_an_unknown_customer_id(db):
    with pytest.raises(CommandError, match="No connection has CustomerId 999"):
        call_command("icims_connection", "test", "--customer-id", "999")


def test_a_stored_row_pointing_outside_the_allow_list_is_refused_at_call_time(connection, icims, settings):
    settings.ICIMS_ALLOWED_HOSTS = list(DEFAULT_ALLOWED_HOSTS)  # the tests' own list allows 127.0.0.1
    # Written behind the rules' back (a raw UPDATE): the row is not trusted at call time.
    Connection.objects.filter(pk=connection.pk).update(token_url_override="http://127.0.0.1:9999/oauth/token")
    connection.refresh_from_db()

    result = connection_test(connection=connection)

    assert not result.ok
    assert "127.0.0.1:9999 is not an iCIMS host" in result.summary()
    assert len(icims.calls) == 0
