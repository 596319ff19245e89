"""The admin shows iCIMS usage and can test connections."""

from __future__ import annotations

import responses
from django.contrib.admin.sites import site
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from integrations.admin.api_usage import connection_api_usage, run_connection_test
from integrations.models import Connection
from integrations.services.api_usage import api_call_record
from tests.fixtures.icims import icims_fixture


def test_the_ledger_lists_calls_by_hour_and_purpose(superadmin_client, connection):
    api_call_record(connection_id=connection.pk, purpose="live", status=200)

    page = superadmin_client.get(reverse("admin:integrations_apicallledger_changelist"))

    assert page.status_code == 200
    assert "live lookups" in page.content.decode()


def test_nobody_can_edit_the_ledger(superadmin_client, connection):
    assert superadmin_client.get(reverse("admin:integrations_apicallledger_add")).status_code == 403


def test_a_csm_cannot_see_the_ledger(csm_client, connection):
    assert csm_client.get(reverse("admin:integrations_apicallledger_changelist")).status_code == 403


def test_the_usage_panel_shows_budget_allowance_and_breaker(connection):
    api_call_record(connection_id=connection.pk, purpose="sync", status=200)

    panel = connection_api_usage(connection)

    assert "1 of 80000" in panel
    assert "not reported yet" in panel
    assert "Circuit breaker: closed" in panel


def _admin_request(user):
    request = RequestFactory().post("/admin/integrations/connection/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@responses.activate
def test_the_test_action_reports_each_connection_in_plain_words(superadmin, connection):
    responses.post("https://login.icims.com/oauth/token", status=401, json=icims_fixture("token_refused"))
    request = _admin_request(superadmin)

    run_connection_test(site._registry[Connection], request, Connection.objects.all())

    [message] = list(get_messages(request))
    assert "Acme (2187) does not work" in str(message)
    assert "the secret is wrong" in str(message)
