"""The admin shows iCIMS usage: the ledger, to look at only, and a usage panel per connection."""

from __future__ import annotations

from django.urls import reverse

from integrations.admin.api_usage import connection_api_usage
from integrations.services.api_usage import api_call_record


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
