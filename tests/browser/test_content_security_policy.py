"""The Content-Security-Policy in a real browser: the admin and the API docs run with no violation.

Headless Chromium (Debian's chromium and chromium-driver) signs in as a superuser with a second
factor, opens the pages with the most script (the connection form, the API docs) and reads the
browser console: a blocked script or style would show there as a CSP violation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from integrations.services.admin_two_factor import two_factor_enroll

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs chromium and chromedriver")


@pytest.fixture
def browser():
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def csp_violations(driver) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]
    ]


def sign_in(driver, live_server, user) -> None:
    from selenium.webdriver.common.by import By

    device = TOTPDevice.objects.get(user=user, name="authenticator")
    driver.get(f"{live_server.url}/admin/login/?next=/admin/")
    driver.find_element(By.NAME, "username").send_keys(user.username)
    driver.find_element(By.NAME, "password").send_keys("pw-root")
    driver.find_element(By.NAME, "otp_token").send_keys(f"{totp(device.bin_key):06d}")
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_api_docs_run_without_a_csp_violation(browser, live_server, superadmin, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    two_factor_enroll(user=superadmin)
    sign_in(browser, live_server, superadmin)
    assert "iCIMS integration portal" in browser.title
    seen: dict[str, list[str]] = {}

    for path in ("/admin/", "/admin/integrations/connection/add/", "/admin/integrations/stage/import/"):
        browser.get(live_server.url + path)
        seen[path] = csp_violations(browser)
    browser.get(live_server.url + "/api/schema/ui/")
    WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    seen["/api/schema/ui/"] = csp_violations(browser)
    browser.save_screenshot(str(Path(tmp_path) / "api-docs.png"))

    assert seen == {path: [] for path in seen}
    assert "default-src 'self'" in browser.execute_script(
        "return fetch('/admin/login/').then(r => r.headers.get('Content-Security-Policy'))"
    )
