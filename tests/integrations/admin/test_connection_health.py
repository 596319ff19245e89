"""Health in the admin: the connection list's badges, sorting and filter, the Status and Settings tabs,
and the admin index's "needs attention" panel."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.services.alerts_evaluate import alerts_evaluate
from tests.integrations.health_world import failed_runs, tenant, writeback_in

from .connection_form_data import connection_form_data

LIST_URL = reverse("admin:integrations_connection_changelist")
INDEX_URL = reverse("admin:index")


def change_url(connection, tab: str = "") -> str:
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    return f"{url}?tab={tab}" if tab else url


@pytest.fixture
def world(db):
    healthy = tenant("Healthy Co", "1001")
    failing = tenant("Failing Co", "1002")
    failed_runs(failing, entity="candidates", count=3, error="iCIMS answered HTTP 503")
    alerts_evaluate()
    return {"healthy": healthy, "failing": failing}


def rows_of(html: str) -> list[str]:
    return [row for row in html.split("<tr")[1:] if 'class="action-checkbox"' in row]


def test_the_list_shows_each_connections_health_with_its_reason_age_error_and_calls(superadmin_client, world):
    html = superadmin_client.get(LIST_URL).content.decode()

    [failing] = [row for row in rows_of(html) if "Failing Co" in row]
    assert '<span class="health-badge health-failing"' in failing
    assert "candidates sync failed 3 times in a row: iCIMS answered HTTP 503" in failing
    assert "1 min" in failing
    assert "0 today" in failing
    [healthy] = [row for row in rows_of(html) if "Healthy Co" in row]
    assert '<span class="health-badge health-healthy"' in healthy


def test_a_connection_the_tick_has_not_checked_says_so(superadmin_client, db):
    tenant("Unchecked Co", "1003")

    html = superadmin_client.get(LIST_URL).content.decode()

    assert '<span class="health-badge health-unchecked"' in html
    assert "not checked yet" in html


def test_the_list_sorts_by_health_worst_first(superadmin_client, world):
    tenant("Another Healthy", "1004")
    alerts_evaluate()

    html = superadmin_client.get(LIST_URL + "?o=2").content.decode()

    names = [name for row in rows_of(html) for name in ("Failing Co", "Healthy Co", "Another") if name in row]
    assert names[0] == "Failing Co"


def test_the_list_filters_by_health(superadmin_client, world):
    html = superadmin_client.get(LIST_URL + "?health=failing").content.decode()

    assert "Failing Co" in html
    assert "Healthy Co" not in html


def test_the_lists_queries_do_not_grow_with_the_number_of_connections(superadmin_client, db):
    def list_queries() -> int:
        with CaptureQueriesContext(db_connection) as captured:
            assert superadmin_client.get(LIST_URL).status_code == 200
        return len(captured)

    tenant("Tenant 0", "2000")
    alerts_evaluate()
    one = list_queries()
    for index in range(1, 20):
        failed_runs(tenant(f"Tenant {index}", str(2000 + index)), count=index % 4)
    alerts_evaluate()
    assert list_queries() == one


def test_the_change_page_opens_on_status(superadmin_client, world):
    writeback_in(world["failing"], state="dead")

    response = superadmin_client.get(change_url(world["failing"]))

    html = response.content.decode()
    assert 'class="active" aria-current="page">Status</a>' in html
    assert '<span class="health-badge health-failing"' in html
    assert "✔ <strong>Initial sync done</strong>" in html
    assert "Recent problems" in html
    assert "candidates sync run" in html
    assert "advance status" in html
    assert "Open alerts:" in html
    assert 'name="client_secret"' not in html  # the form is on the other tab


def test_the_settings_tab_holds_the_form_and_the_alert_settings(superadmin_client, world):
    html = superadmin_client.get(change_url(world["healthy"], "settings")).content.decode()

    assert 'class="active" aria-current="page">Settings</a>' in html
    assert 'name="name"' in html
    assert 'name="alert_settings-0-sync_stale_minutes"' in html
    assert "Recent problems" not in html


def test_saving_with_continue_comes_back_to_settings_and_keeps_alert_settings(superadmin_client, world):
    healthy = world["healthy"]
    healthy.webhook_username, healthy.webhook_password = "icims-healthy", "healthy-webhook-password-1"
    healthy.save()
    data = connection_form_data(
        healthy,
        **{
            "alert_settings-TOTAL_FORMS": "1",
            "alert_settings-0-email_recipients": "ops@example.com, csm@example.com",
            "alert_settings-0-sync_stale_minutes": "30",
            "alert_settings-0-sync_failing_runs": "3",
            "alert_settings-0-webhook_stuck_minutes": "2",
            "alert_settings-0-allowance_low_percent": "10",
            "_continue": "Save and continue editing",
        },
    )

    response = superadmin_client.post(change_url(healthy), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert response["Location"].endswith("tab=settings")
    healthy.refresh_from_db()
    assert healthy.alert_settings.sync_stale_minutes == 30
    assert healthy.alert_settings.recipients() == ["ops@example.com", "csm@example.com"]


def test_the_index_opens_with_what_needs_attention(superadmin_client, world):
    html = superadmin_client.get(INDEX_URL).content.decode()

    panel = html.split('id="needs-attention"')[1].split("</div>")[0]
    assert "Failing Co" in panel
    assert "Healthy Co" not in panel
    assert "sync failing</a> on Failing Co" in panel


def test_the_index_says_when_all_is_well(superadmin_client, db):
    tenant("Healthy Co", "1001")
    alerts_evaluate()

    html = superadmin_client.get(INDEX_URL).content.decode()

    assert "Every connection is healthy, paused or onboarding, and no alert is open." in html


def test_a_csm_sees_the_panel_and_a_staff_user_without_connections_does_not(client, csm_client, world):
    assert "Failing Co" in csm_client.get(INDEX_URL).content.decode()

    outsider = get_user_model().objects.create_user("olive", "olive@example.com", "pw", is_staff=True)
    client.force_login(outsider)
    assert 'id="needs-attention"' not in client.get(INDEX_URL).content.decode()
