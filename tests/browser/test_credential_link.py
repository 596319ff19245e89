"""A customer's iCIMS admin opens a credential link in a real browser (no sign-in), reads the scopes to
grant, types a wrong secret and is told so, then the right one and is told it works; no CSP violation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from integrations.models import Connection
from integrations.services.credential_links import credential_link_create

from .test_content_security_policy import csp_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_enters_its_credentials_through_the_link(browser, screenshot, sandbox, sandbox_connection):
    Connection.objects.filter(pk=sandbox_connection.pk).update(
        credential_mode=Connection.CredentialMode.PLATFORM, client_id="", client_secret="", feedback_enabled=True
    )
    issued = credential_link_create(connection=sandbox_connection, expires_in=timedelta(hours=72))
    browser.get(browser.url("/admin/"))  # a page of the portal first: the console starts empty for this test
    browser.get_log("browser")

    browser.get(browser.url(f"/credentials/{issued.token}/"))

    page = browser.find_element(By.TAG_NAME, "body").text
    assert "Connect iCIMS to GoodTime" in page and "CustomerId 1000" in page
    assert "biz-collab-feedback-service:forms:ro" in page  # feedback forms were bought
    assert browser.find_element(By.ID, "id_client_secret").get_attribute("type") == "password"
    screenshot("opened")

    browser.find_element(By.ID, "id_client_id").send_keys("sandbox-client")
    browser.find_element(By.ID, "id_client_secret").send_keys("a-wrong-secret")
    browser.find_element(By.CSS_SELECTOR, "#credentials-form button[type=submit]").click()
    failed = browser.find_element(By.ID, "test-failed").text
    assert "These credentials do not work. Nothing was saved." in failed
    assert "the secret is wrong" in failed
    assert browser.find_element(By.ID, "id_client_secret").get_attribute("value") == ""
    screenshot("wrong-secret")

    assert browser.find_element(By.ID, "id_client_id").get_attribute("value") == "sandbox-client"
    browser.find_element(By.ID, "id_client_secret").send_keys("sandbox-secret")
    browser.find_element(By.CSS_SELECTOR, "#credentials-form button[type=submit]").click()
    accepted = browser.find_element(By.ID, "accepted").text
    assert "Your credentials work." in accepted
    screenshot("accepted")

    assert csp_violations(browser) == []
    sandbox_connection.refresh_from_db()
    assert (sandbox_connection.credential_mode, sandbox_connection.client_secret) == ("customer", "sandbox-secret")
