"""How the admin looks at 1,400 px: key columns stay in view, "iCIMS" keeps its case, refusals explain."""

from __future__ import annotations

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from integrations.models import WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def events(connection):
    return [
        WebhookEvent.objects.create(
            connection=connection,
            event_type="WorkFlowStatusChangeEvent",
            customer_id=connection.customer_id,
            system_id=str(13000 + n),
            person_id=str(8000 + n),
            payload={},
            dedupe_key=f"k{n}",
            state=WebhookEvent.State.FAILED,
            last_error="IcimsServerError: iCIMS answered 503 Service Unavailable on GET applicantworkflows " * 2,
        )
        for n in range(5)
    ]


def test_a_wide_list_keeps_its_key_column_in_view_when_scrolled_sideways(
    browser, log_in, screenshot, superadmin, events
):
    log_in("root", "pw-root")
    browser.get(browser.url(reverse("admin:integrations_webhookevent_changelist")))
    results = browser.find_element(By.CSS_SELECTOR, "#changelist .results")
    wide = browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", results)
    assert wide, "the list should be wider than its box at 1,400 px for this test to mean something"

    browser.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth", results)

    box_left = browser.execute_script("return arguments[0].getBoundingClientRect().left", results)
    key = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr:first-child th")
    key_left = browser.execute_script("return arguments[0].getBoundingClientRect().left", key)
    assert 0 < key_left - box_left < 40  # right after the sticky selection box, not scrolled away
    assert browser.execute_script("return arguments[0].scrollLeft", results) > 0
    screenshot("scrolled")


def test_the_sidebar_says_iCIMS(browser, log_in, screenshot, superadmin):
    log_in("root", "pw-root")

    caption = browser.find_element(By.CSS_SELECTOR, "#content-main .app-integrations caption").text

    assert caption.startswith("iCIMS")
    screenshot("index")


def test_a_csm_refused_a_page_sees_what_to_do_instead(browser, log_in, screenshot, csm):
    log_in("casey", "pw-casey")

    browser.get(browser.url(reverse("admin:integrations_webhookevent_replay_failed")))

    assert "You may not do this" in browser.find_element(By.ID, "content").text
    assert browser.find_element(By.LINK_TEXT, "Go to the portal's home page")
    screenshot("forbidden")
