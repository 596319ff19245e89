"""`manage.py alerts_check`: evaluates every rule now and sends what it queued."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from integrations.models import Writeback
from tests.integrations.health_world import tenant, writeback_in

pytestmark = pytest.mark.django_db


def test_it_opens_alerts_sends_their_mail_and_says_what_it_did(settings, mailoutbox):
    settings.ALERT_EMAIL_RECIPIENTS, settings.ALERT_WEBHOOK_URL = ["ops@example.com"], ""
    writeback_in(tenant("Acme", "2187"), state=Writeback.State.DEAD)
    tenant("Fine", "3000")
    out = StringIO()

    call_command("alerts_check", stdout=out)

    assert out.getvalue().splitlines() == [
        "Checked 2 connection(s): 1 alert(s) opened, 0 resolved, 0 still open.",
        "Notifications: 1 sent, 1 skipped (no recipient), 0 failed for good.",
    ]
    assert mailoutbox[0].subject == "[goodtime-icims] write-back dead on Acme (2187)"


def test_a_second_run_opens_and_sends_nothing_new(settings, mailoutbox):
    settings.ALERT_EMAIL_RECIPIENTS, settings.ALERT_WEBHOOK_URL = ["ops@example.com"], ""
    writeback_in(tenant("Acme", "2187"), state=Writeback.State.DEAD)
    call_command("alerts_check", stdout=StringIO())
    out = StringIO()

    call_command("alerts_check", stdout=out)

    assert "0 alert(s) opened, 0 resolved, 1 still open" in out.getvalue()
    assert len(mailoutbox) == 1
