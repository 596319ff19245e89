"""The connection page's test panel: the last result, Test now for super admins, the data stream found."""

from __future__ import annotations

from django.urls import reverse

from integrations.models import Connection
from integrations.sandbox.tenant import DEFAULT_SUBSCRIPTION_ID

from .connection_form_data import connection_form_data


def change_url(connection: Connection) -> str:
    # The connection test sits on the Settings tab of the connection page.
    return reverse("admin:integrations_connection_change", args=[connection.pk]) + "?tab=settings"


def run_test_url(connection: Connection) -> str:
    return reverse("admin:integrations_connection_test_now", args=[connection.pk])


def sandbox_hosts(connection: Connection) -> dict[str, str]:
    return {
        name: getattr(connection, name) for name in ("api_url_override", "token_url_override", "stream_url_override")
    }


def test_a_new_connection_page_says_not_tested_yet_and_offers_test_now(superadmin_client, ready_connection):
    page = superadmin_client.get(change_url(ready_connection)).content.decode()

    assert "Not tested yet." in page
    assert f'formaction="{run_test_url(ready_connection)}"' in page
    assert "Not found yet: the StreamId has not been resolved" in page


def test_test_now_runs_the_test_and_the_page_keeps_when_by_whom_and_each_check(
    superadmin_client, sandbox, sandbox_connection
):
    Connection.objects.filter(pk=sandbox_connection.pk).update(stream_resolved_for="")

    response = superadmin_client.post(run_test_url(sandbox_connection))

    assert response.status_code == 302 and response["Location"] == change_url(sandbox_connection)
    page = superadmin_client.get(change_url(sandbox_connection)).content.decode()
    assert "works: see the connection test below" in page
    assert "✔ Works" in page and "by root" in page
    assert "iCIMS issued a new access token" in page
    assert f"subscription <code>{DEFAULT_SUBSCRIPTION_ID}</code>" in page
    assert "data-transfer-assembler:stream:read" in page


def test_test_now_is_a_post(superadmin_client, ready_connection):
    assert superadmin_client.get(run_test_url(ready_connection)).status_code == 405


def test_a_csm_sees_the_last_result_but_cannot_test(csm_client, ready_connection):
    ready_connection.last_test_result = {
        "at": "2026-11-27T06:00:00+00:00",
        "by": "root",
        "ok": False,
        "checks": [{"name": "token", "ok": False, "detail": "iCIMS refused the client id 'acme-client'"}],
        "features": [],
    }
    ready_connection.save()

    page = csm_client.get(change_url(ready_connection)).content.decode()

    assert "✘ Does not work" in page and "iCIMS refused the client id" in page
    assert "formaction=" not in page
    assert csm_client.post(run_test_url(ready_connection)).status_code == 403
    ready_connection.refresh_from_db()
    assert ready_connection.last_test_result["by"] == "root"


def test_saving_a_changed_stream_id_finds_the_data_stream_at_once(superadmin_client, sandbox, sandbox_connection):
    data = connection_form_data(
        sandbox_connection, stream_id=DEFAULT_SUBSCRIPTION_ID, **sandbox_hosts(sandbox_connection)
    )

    response = superadmin_client.post(change_url(sandbox_connection), data, follow=True)

    assert "names a subscription" in response.content.decode()
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.resolved_data_stream == ("sandbox-stream", DEFAULT_SUBSCRIPTION_ID)


def test_saving_a_stream_id_that_names_nothing_warns_with_the_ids_that_exist(
    superadmin_client, sandbox, sandbox_connection
):
    data = connection_form_data(sandbox_connection, stream_id="sandbox-strem", **sandbox_hosts(sandbox_connection))

    response = superadmin_client.post(change_url(sandbox_connection), data, follow=True)

    page = response.content.decode()
    assert "names no stream and no subscription" in page
    assert f"stream sandbox-stream (subscriptions: {DEFAULT_SUBSCRIPTION_ID})" in page
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.resolved_data_stream is None


def test_a_customer_id_that_is_not_digits_is_refused(superadmin_client):
    response = superadmin_client.post(
        reverse("admin:integrations_connection_add"), connection_form_data(customer_id="acme-12x")
    )

    assert "The CustomerId is a number iCIMS assigned, digits only" in response.content.decode()
    assert not Connection.objects.exists()


def test_the_field_map_is_edited_as_lines_and_checked_against_icims(superadmin_client, sandbox, sandbox_connection):
    hosts = sandbox_hosts(sandbox_connection)
    bad = connection_form_data(
        sandbox_connection, field_map="job.coordinator = rcf3047\njob.sourcer = rcf9999", **hosts
    )

    refused = superadmin_client.post(change_url(sandbox_connection), bad)

    assert "job.sourcer: iCIMS does not know the field &#x27;rcf9999&#x27;" in refused.content.decode()
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.field_map == {}

    good = connection_form_data(
        sandbox_connection, field_map="job.coordinator = rcf3047\njob.sourcer = rcf3048", **hosts
    )
    assert superadmin_client.post(change_url(sandbox_connection), good).status_code == 302
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.field_map == {"job.coordinator": "rcf3047", "job.sourcer": "rcf3048"}
    page = superadmin_client.get(change_url(sandbox_connection)).content.decode()
    assert "job.coordinator = rcf3047" in page
