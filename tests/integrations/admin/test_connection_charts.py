"""The chart page of a connection: every chart drawn, for the last day or week, to those who may view it."""

from __future__ import annotations

from django.utils import timezone

from integrations.models import ApiCallLedger

URL = "/admin/integrations/connection/{}/charts/"


def test_a_csm_sees_the_calls_of_this_hour_drawn_on_the_chart_page(csm_client, connection):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ApiCallLedger.objects.create(connection=connection, hour=hour, purpose="sync", calls=1234)

    response = csm_client.get(URL.format(connection.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-series="sync" data-hour="{hour:%Y-%m-%dT%H:00Z}" data-value="1234"' in page
    for key in ("calls", "data-age", "webhooks", "webhook-latency", "writebacks"):
        assert f'data-chart="{key}"' in page
    assert "last 24 hours" in page


def test_the_week_window_draws_168_hours(csm_client, connection):
    response = csm_client.get(URL.format(connection.pk), {"window": "7d"})

    assert response.status_code == 200
    assert b'data-window="7d"' in response.content
    assert b"iCIMS calls per hour by purpose, last 7 days" in response.content


def test_an_unknown_window_falls_back_to_the_last_day(csm_client, connection):
    response = csm_client.get(URL.format(connection.pk), {"window": "forever"})

    assert b'data-window="24h"' in response.content


def test_an_unknown_connection_is_not_found(superadmin_client):
    assert superadmin_client.get(URL.format(999999)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, connection):
    response = client.get(URL.format(connection.pk))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_status_tab_of_a_connection_shows_its_charts(csm_client, connection):
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ApiCallLedger.objects.create(connection=connection, hour=hour, purpose="live", calls=7)

    page = csm_client.get(f"/admin/integrations/connection/{connection.pk}/change/").content.decode()

    assert 'id="status-charts"' in page
    assert f'data-series="live" data-hour="{hour:%Y-%m-%dT%H:00Z}" data-value="7"' in page
    assert f"/admin/integrations/connection/{connection.pk}/charts/?window=24h" in page  # the full-width page
