"""Alerts in the admin: open and past alerts, acknowledged and muted by the people on call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Alert, Writeback
from integrations.services.alerts_evaluate import alerts_evaluate
from tests.integrations.health_world import tenant, writeback_in

LIST_URL = reverse("admin:integrations_alert_changelist")


@pytest.fixture
def open_alert(db):
    writeback_in(tenant("Acme", "2187"), state=Writeback.State.DEAD)
    alerts_evaluate()
    return Alert.objects.get()


@pytest.fixture
def past_alert(db):
    connection = tenant("Globex", "4242")
    now = timezone.now()
    return Alert.objects.create(
        connection=connection,
        kind="sync_stale",
        message="users data is 20 min old",
        opened_at=now - timedelta(hours=2),
        last_seen_at=now - timedelta(hours=1),
        resolved_at=now - timedelta(minutes=50),
    )


def test_open_and_past_alerts_are_listed_and_filtered(superadmin_client, open_alert, past_alert):
    html = superadmin_client.get(LIST_URL).content.decode()
    assert "write-back dead" in html and "sync stale" in html

    html = superadmin_client.get(LIST_URL + "?status=open").content.decode()
    assert "gave up (dead)" in html and "users data is 20 min old" not in html


def test_acknowledging_records_who_and_says_how_many(superadmin_client, superadmin, open_alert, past_alert):
    data = {"action": "acknowledge", "_selected_action": [open_alert.pk, past_alert.pk]}

    response = superadmin_client.post(LIST_URL, data, follow=True)

    assert "Acknowledged 1 alert(s)." in response.content.decode()  # a resolved alert needs no one
    open_alert.refresh_from_db()
    assert open_alert.acknowledged_by == superadmin and open_alert.acknowledged_at is not None
    assert "acknowledged by root" in superadmin_client.get(LIST_URL).content.decode()


def test_muting_for_an_hour_silences_the_alert_until_then(superadmin_client, open_alert):
    before = timezone.now()

    response = superadmin_client.post(
        LIST_URL, {"action": "mute_one_hour", "_selected_action": [open_alert.pk]}, follow=True
    )

    assert "Muted 1 alert(s) for 1 hour: no notification until then." in response.content.decode()
    open_alert.refresh_from_db()
    assert before + timedelta(minutes=59) < open_alert.muted_until < timezone.now() + timedelta(minutes=61)


def test_a_csm_acknowledges_alerts_but_cannot_add_edit_or_delete_them(csm_client, open_alert):
    page = csm_client.get(reverse("admin:integrations_alert_change", args=[open_alert.pk]))
    assert page.status_code == 200
    assert 'name="message"' not in page.content.decode()  # every field is read-only
    assert csm_client.get(reverse("admin:integrations_alert_add")).status_code == 403
    assert csm_client.get(reverse("admin:integrations_alert_delete", args=[open_alert.pk])).status_code == 403

    csm_client.post(LIST_URL, {"action": "acknowledge", "_selected_action": [open_alert.pk]})

    open_alert.refresh_from_db()
    assert open_alert.acknowledged_at is not None
