"""A super admin adds an API token and a platform webhook endpoint in a real browser: each secret is on the
page that follows, once, and what is stored is not it (a hash, or ciphertext)."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from selenium.webdriver.common.by import By

from integrations.models import ApiToken, PlatformWebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_api_token_is_shown_once_and_only_its_hash_is_kept(browser, log_in, screenshot, superadmin):
    log_in("root", "pw-root")
    browser.get(browser.url("/admin/integrations/apitoken/add/"))
    browser.find_element(By.NAME, "name").send_keys("Scheduling platform (staging)")
    browser.find_element(By.NAME, "all_connections").click()
    browser.find_element(By.NAME, "_save").click()

    shown = browser.find_element(By.ID, "api-token").text
    screenshot("api-token-created")
    assert "it is shown only this once" in browser.find_element(By.TAG_NAME, "body").text
    token = ApiToken.objects.get()
    assert shown.startswith(f"gti_{token.prefix}_")
    assert shown not in str(ApiToken.objects.values().get())

    browser.get(browser.url(f"/admin/integrations/apitoken/{token.pk}/change/"))
    assert shown not in browser.page_source


def test_a_new_endpoints_signing_secret_is_shown_once_and_kept_encrypted(
    browser, log_in, screenshot, superadmin, settings
):
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1:9"]
    log_in("root", "pw-root")
    browser.get(browser.url("/admin/integrations/platformwebhookendpoint/add/"))
    browser.find_element(By.NAME, "url").send_keys("http://127.0.0.1:9/hooks")
    browser.find_element(By.NAME, "description").send_keys("Scheduling platform (staging)")
    browser.find_element(By.NAME, "_save").click()

    shown = browser.find_element(By.ID, "signing-secret").text
    screenshot("endpoint-secret")
    assert shown.startswith("whsec_")
    endpoint = PlatformWebhookEndpoint.objects.get()
    assert endpoint.secret == shown
    with db_connection.cursor() as cursor:  # the column as stored, not as the field decrypts it
        cursor.execute(f"SELECT secret FROM {PlatformWebhookEndpoint._meta.db_table}")
        assert shown not in cursor.fetchone()[0]

    browser.get(browser.url(f"/admin/integrations/platformwebhookendpoint/{endpoint.pk}/change/"))
    assert shown not in browser.page_source
