"""The Content-Security-Policy in a real browser: the admin and the API docs run with no violation.

Headless Chromium (Debian's chromium and chromium-driver) signs in as a superuser with a second
factor, opens the pages with the most script (the connection form, the API docs) and reads the
browser console: a blocked script or style would show there as a CSP violation.
"""

from __future__ import annotations

import pytest


def csp_violations(driver) -> list[str]:
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]
    ]


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_the_api_docs_run_without_a_csp_violation(browser, log_in, screenshot, superadmin):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    log_in("root", "pw-root")
    browser.get_log("browser")  # the shared browser's console from earlier tests is not this test's
    assert "iCIMS integration portal" in browser.title
    seen: dict[str, list[str]] = {}

    for path in ("/admin/", "/admin/integrations/connection/add/", "/admin/integrations/stage/import/"):
        browser.get(browser.url(path))
        seen[path] = csp_violations(browser)
    browser.get(browser.url("/api/schema/ui/"))
    WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    seen["/api/schema/ui/"] = csp_violations(browser)
    screenshot("api-docs")

    assert seen == {path: [] for path in seen}
    assert "default-src 'self'" in browser.execute_script(
        "return fetch('/admin/login/').then(r => r.headers.get('Content-Security-Policy'))"
    )
