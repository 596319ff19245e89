"""A person opens a connection's charts in a real browser and sees the hours drawn with their values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from integrations.models import ApiCallLedger, HourlyActivity

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_chart_page_draws_calls_against_the_budget_and_the_data_age(
    browser, log_in, screenshot, superadmin, connection
):
    connection.hourly_call_budget = 2000
    connection.save()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    # 23 hours, so that all of them stay in the page's last 24 hours even if the clock passes the hour meanwhile.
    for hours_ago in range(23):
        hour = now - timedelta(hours=hours_ago)
        ApiCallLedger.objects.create(connection=connection, hour=hour, purpose="sync", calls=600 + 20 * hours_ago)
        ApiCallLedger.objects.create(connection=connection, hour=hour, purpose="live", calls=90)
        HourlyActivity.objects.create(
            connection=connection, hour=hour, series="data_age", label="jobs", count=12, max_seconds=240 + hours_ago
        )
        HourlyActivity.objects.create(
            connection=connection, hour=hour, series="webhook_events", label="processed", count=30 + hours_ago
        )
    log_in("root", "pw-root")

    browser.get(browser.url(f"/admin/integrations/connection/{connection.pk}/charts/"))

    calls = browser.find_element(By.CSS_SELECTOR, 'svg[data-chart="calls"]')
    bars = calls.find_elements(By.CSS_SELECTOR, ".chart-point")
    assert len(bars) == 46  # 23 hours, two purposes
    this_hour = [bar for bar in bars if bar.get_attribute("data-hour") == f"{now:%Y-%m-%dT%H:00Z}"]
    assert sorted(bar.get_attribute("data-value") for bar in this_hour) == ["600", "90"]
    assert calls.find_element(By.CSS_SELECTOR, ".chart-limit").get_attribute("data-value") == "2000"
    assert bars[0].size["height"] > 0  # drawn, not just present
    ages = browser.find_elements(By.CSS_SELECTOR, 'svg[data-chart="data-age"] .chart-point[data-series="jobs"]')
    assert len(ages) == 23
    screenshot("day")

    browser.find_element(By.LINK_TEXT, "last 7 days").click()

    assert browser.find_element(By.CSS_SELECTOR, ".cockpit-charts").get_attribute("data-window") == "7d"
    assert len(browser.find_elements(By.CSS_SELECTOR, 'svg[data-chart="calls"] .chart-point')) == 46
    screenshot("week")


def test_the_status_tab_of_a_connection_draws_its_charts(browser, log_in, screenshot, superadmin, connection):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    for hours_ago in range(24):
        HourlyActivity.objects.create(
            connection=connection,
            hour=hour - timedelta(hours=hours_ago),
            series="writeback_outcomes",
            label="succeeded" if hours_ago % 5 else "dead",
            count=1 + hours_ago % 4,
        )
    log_in("root", "pw-root")

    browser.get(browser.url(f"/admin/integrations/connection/{connection.pk}/change/"))

    section = browser.find_element(By.ID, "status-charts")
    assert len(section.find_elements(By.CSS_SELECTOR, "svg.cockpit-chart")) == 5
    dead = section.find_elements(By.CSS_SELECTOR, 'svg[data-chart="writebacks"] .chart-point[data-series="dead"]')
    assert len(dead) == 5  # hours 0, 5, 10, 15 and 20 ago
    screenshot("status-tab")
