"""Browser tests: Debian's headless Chromium driven by Selenium against pytest-django's live server.

Each test may keep screenshots under var/test-artifacts/screenshots/ (or $TEST_ARTIFACTS_DIR), the run's
artefacts; they are never committed. Without chromium and chromedriver the tests are skipped.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
WINDOW = (1400, 1000)  # the narrowest desktop the admin is designed for


def _artifacts_dir() -> Path:
    folder = Path(os.environ.get("TEST_ARTIFACTS_DIR", settings.BASE_DIR / "var" / "test-artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(autouse=True)
def _static_files_served_by_the_live_server(settings):
    settings.SECURE_SSL_REDIRECT = False  # the live server speaks plain HTTP


@pytest.fixture(scope="session")
def chromium():
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("needs chromium and chromedriver (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium, live_server):
    """The shared browser, logged out, with `browser.url(path)` pointing at the live server."""
    chromium.delete_all_cookies()
    chromium.url = lambda path: f"{live_server.url}{path}"
    return chromium


@pytest.fixture
def log_in(browser) -> Callable[[str, str], None]:
    from selenium.webdriver.common.by import By

    def log_in(username: str, password: str) -> None:
        browser.get(browser.url("/admin/login/"))
        browser.find_element(By.NAME, "username").send_keys(username)
        browser.find_element(By.NAME, "password").send_keys(password)
        browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        browser.find_element(By.ID, "user-tools")  # waits for the logged-in page

    return log_in


@pytest.fixture
def screenshot(browser, request) -> Callable[[str], Path]:
    """Save a full-page screenshot named after the test and the step."""
    folder = _artifacts_dir()

    def take(step: str) -> Path:
        # The whole page, not only the window: Chrome's DevTools capture beyond the viewport.
        size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = browser.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
            },
        )
        path = folder / f"{request.node.name}-{step}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    return take
