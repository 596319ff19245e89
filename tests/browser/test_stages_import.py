"""A CSM imports a tenant's stages file in a real browser: upload, preview, confirm."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from integrations.models import Stage

pytestmark = pytest.mark.django_db(transaction=True)

STAGES_CSV = (
    "Bin,Status,Status ID\nInterview,First Interview - Schedule,C51218\nInterview,Recruiter Phone Screen,C51211\n"
)


def test_a_csm_previews_then_confirms_a_stages_import(browser, log_in, screenshot, csm, connection, tmp_path):
    upload = Path(tmp_path) / "acme-statuses.csv"
    upload.write_text(STAGES_CSV)
    log_in("casey", "pw-casey")

    browser.get(browser.url("/admin/integrations/stage/import/"))
    Select(browser.find_element(By.NAME, "connection")).select_by_visible_text(str(connection))
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(upload))
    screenshot("upload")
    browser.find_element(By.CSS_SELECTOR, "#stages-import-form input[type=submit]").click()

    summary = browser.find_element(By.ID, "stages-import-summary").text
    assert summary == "2 added, 0 changed, 0 deactivated, 0 unchanged"
    assert "Nothing has been saved yet" in browser.find_element(By.ID, "content").text
    assert not Stage.objects.exists()
    screenshot("preview")

    browser.find_element(By.CSS_SELECTOR, "#stages-import-confirm input[type=submit]").click()

    messages = browser.find_element(By.CSS_SELECTOR, "ul.messagelist").text
    assert messages == (
        "Imported stages for Acme (2187) from acme-statuses.csv: 2 added, 0 changed, 0 deactivated, 0 unchanged."
    )
    assert sorted(Stage.objects.values_list("status_id", flat=True)) == ["C51211", "C51218"]
    screenshot("confirmed")
