"""A super admin tests a connection from its page in a real browser and reads the result there."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from integrations.models import Connection
from integrations.sandbox.tenant import DEFAULT_SUBSCRIPTION_ID

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_super_admin_presses_test_now_and_the_page_shows_each_check(
    browser, log_in, screenshot, superadmin, sandbox, sandbox_connection
):
    Connection.objects.filter(pk=sandbox_connection.pk).update(stream_resolved_for="")
    log_in("root", "pw-root")
    browser.get(browser.url(f"/admin/integrations/connection/{sandbox_connection.pk}/change/"))
    assert "Not tested yet." in browser.find_element(By.TAG_NAME, "body").text

    browser.find_element(By.CSS_SELECTOR, "#connection-test-now button[type=submit]").click()

    message = browser.find_element(By.CSS_SELECTOR, "ul.messagelist li").text
    assert "works: see the connection test below" in message
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "✔ Works" in page and "by root" in page
    assert "iCIMS issued a new access token" in page
    assert DEFAULT_SUBSCRIPTION_ID in page
    screenshot("tested")
