"""An operator sees which tenant is failing at a glance, and acknowledges its alert, in a real browser."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from integrations.models import Alert, Writeback
from tests.integrations.health_world import failed_runs, tenant, writeback_in

pytestmark = pytest.mark.django_db(transaction=True)
FAILING_RED = "rgba(179, 38, 30, 1)"
HEALTHY_GREEN = "rgba(30, 123, 52, 1)"


@pytest.fixture
def two_tenants(settings):
    settings.ALERT_EMAIL_RECIPIENTS, settings.ALERT_WEBHOOK_URL = [], ""
    healthy = tenant("Healthy Co", "1001")
    failing = tenant("Failing Co", "1002")
    failed_runs(failing, entity="candidates", count=4, error="iCIMS answered HTTP 503 | x-transaction 5f2c")
    call_command("alerts_check", stdout=StringIO())
    return healthy, failing


def badge_in_row(browser, name: str):
    row = browser.find_element(By.XPATH, f"//tr[.//a[normalize-space()='{name}']]")
    return row.find_element(By.CSS_SELECTOR, ".health-badge")


def test_the_index_and_the_list_show_the_failing_tenant_as_failing_and_the_healthy_one_as_healthy(
    browser, log_in, screenshot, superadmin, two_tenants
):
    log_in("root", "pw-root")

    panel = browser.find_element(By.ID, "needs-attention")
    assert "Failing Co" in panel.text
    assert "candidates sync failed 4 times in a row" in panel.text
    assert "Healthy Co" not in panel.text
    assert "sync failing on Failing Co" in panel.text
    badge = panel.find_element(By.CSS_SELECTOR, ".health-badge")
    assert (badge.text, badge.value_of_css_property("background-color")) == ("FAILING", FAILING_RED)
    screenshot("index")

    browser.get(browser.url("/admin/integrations/connection/"))

    failing, healthy = badge_in_row(browser, "Failing Co"), badge_in_row(browser, "Healthy Co")
    assert (failing.text, failing.value_of_css_property("background-color")) == ("FAILING", FAILING_RED)
    assert (healthy.text, healthy.value_of_css_property("background-color")) == ("HEALTHY", HEALTHY_GREEN)
    screenshot("list")

    browser.find_element(By.LINK_TEXT, "Failing Co").click()

    status = browser.find_element(By.ID, "status-health")
    assert status.find_element(By.CSS_SELECTOR, ".health-badge").text == "FAILING"
    assert "iCIMS answered HTTP 503" in browser.find_element(By.ID, "status-problems").text
    screenshot("status")

    browser.find_element(By.LINK_TEXT, "Settings").click()

    assert browser.find_element(By.NAME, "customer_id").get_attribute("value") == "1002"
    assert browser.find_element(By.NAME, "alert_settings-0-sync_stale_minutes").get_attribute("value") == "15"
    screenshot("settings")


def test_an_alert_opens_in_the_admin_and_is_acknowledged(browser, log_in, screenshot, superadmin, settings):
    settings.ALERT_EMAIL_RECIPIENTS, settings.ALERT_WEBHOOK_URL = [], ""
    writeback_in(tenant("Acme", "2187"), state=Writeback.State.DEAD)
    call_command("alerts_check", stdout=StringIO())
    log_in("root", "pw-root")

    browser.find_element(By.LINK_TEXT, "All open alerts").click()

    row = browser.find_element(By.XPATH, "//tr[.//a[normalize-space()='write-back dead']]")
    assert "open" in row.find_element(By.CSS_SELECTOR, ".health-badge").text.lower()
    assert "1 write-back(s) to iCIMS gave up (dead)" in row.text
    screenshot("open")

    row.find_element(By.CSS_SELECTOR, "input.action-select").click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("acknowledge")
    browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()

    assert "Acknowledged 1 alert(s)." in browser.find_element(By.CSS_SELECTOR, ".messagelist").text
    row = browser.find_element(By.XPATH, "//tr[.//a[normalize-space()='write-back dead']]")
    assert "acknowledged by root" in row.text
    assert row.find_element(By.CSS_SELECTOR, ".health-badge").text == "ACKNOWLEDGED"
    assert Alert.objects.get().acknowledged_by == superadmin
    screenshot("acknowledged")
