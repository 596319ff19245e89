"""Alert rules: each opens once, stays quiet while its problem lasts, and resolves by itself once the
problem has stayed away, with one e-mail and one chat message on open and on resolve."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from integrations.models import (
    Alert,
    AlertKind,
    AlertNotification,
    AlertSettings,
    WebhookEvent,
    Writeback,
)
from integrations.services.alert_notifications_send import alert_notifications_send
from integrations.services.alerts_evaluate import TICK_LOCK, alerts_evaluate
from integrations.services.icims_clients import icims_call_budget, icims_shared_state
from integrations.services.scheduling_request_trigger import NOT_A_STAGE
from sync.models import SyncRun
from tests.integrations.health_world import REFUSED, failed_runs, synced, tenant, webhook_waiting, writeback_in
from tests.undecryptable import secret_no_key_decrypts

pytestmark = pytest.mark.django_db
CHAT_URL = "https://hooks.chat.test/services/T000/B000/s3cr3t-path"


@pytest.fixture(autouse=True)
def alert_channels(settings):
    settings.ALERT_EMAIL_RECIPIENTS = ["ops@example.com"]
    settings.ALERT_WEBHOOK_URL = CHAT_URL
    settings.ALERT_RESOLVE_AFTER_SECONDS = 300


@pytest.fixture
def chat():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.post(CHAT_URL, json={"ok": True})
        yield rsps


def chat_texts(chat) -> list[str]:
    return [json.loads(call.request.body)["text"] for call in chat.calls]


def allowance(connection, remaining: int) -> None:
    icims_call_budget(connection=connection).observe(
        {"x-ratelimit-limit": "10000", "x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": "3600"}
    )


def search_run(connection) -> None:
    now = timezone.now()
    SyncRun.objects.create(
        connection=connection,
        entity="jobs",
        mode=SyncRun.Mode.INCREMENTAL_SEARCH,
        status=SyncRun.Status.SUCCEEDED,
        started_at=now,
        finished_at=now,
        error="Data stream unavailable, fell back to search: HTTP 503",
    )


def old_sync(connection) -> None:
    SyncRun.objects.filter(connection=connection).update(started_at=timezone.now() - timedelta(minutes=20))


def refused(connection) -> None:
    failed_runs(connection, count=1, error=REFUSED)


# (rule, what makes the problem, what takes it away)
RULES = [
    (AlertKind.SYNC_STALE, old_sync, lambda c: synced(c, at=timezone.now())),
    (AlertKind.SYNC_FAILING, lambda c: failed_runs(c, count=3), lambda c: synced(c, at=timezone.now())),
    (AlertKind.CREDENTIALS_REFUSED, refused, lambda c: synced(c, at=timezone.now())),
    (AlertKind.STREAM_FALLBACK, search_run, lambda c: synced(c, at=timezone.now() + timedelta(seconds=1))),
    (
        AlertKind.WEBHOOK_STUCK,
        lambda c: webhook_waiting(c, minutes=5),
        lambda c: WebhookEvent.objects.update(state=WebhookEvent.State.PROCESSED),
    ),
    (
        AlertKind.WRITEBACK_DEAD,
        lambda c: writeback_in(c, state=Writeback.State.DEAD),
        lambda c: Writeback.objects.update(state=Writeback.State.SUCCEEDED),
    ),
    (AlertKind.ALLOWANCE_LOW, lambda c: allowance(c, 500), lambda c: allowance(c, 9000)),
    (
        AlertKind.UNKNOWN_STATUS,
        lambda c: webhook_waiting(c, minutes=1, state="processed", outcome=f"Workflow 1 is at X (C9), {NOT_A_STAGE}."),
        lambda c: WebhookEvent.objects.update(outcome="Scheduling request opened."),
    ),
]


def test_every_rule_is_covered():
    # A disabled platform webhook endpoint is no connection's problem: its delivery opens that alert
    # (tests/integrations/platform_webhooks/test_delivery.py).
    assert {rule for rule, _, _ in RULES} == set(AlertKind.values) - {AlertKind.PLATFORM_WEBHOOK_DISABLED}


@pytest.mark.parametrize(("rule", "make_problem", "take_away"), RULES, ids=[rule for rule, _, _ in RULES])
def test_each_rule_opens_stays_quiet_and_resolves_notifying_once_each_way(
    rule, make_problem, take_away, chat, mailoutbox
):
    acme = tenant("Acme", "2187", stream_id="stream-acme")
    start = timezone.now()
    make_problem(acme)

    first = alerts_evaluate(now=start)
    alert_notifications_send()

    [alert] = Alert.objects.all()
    assert (alert.kind, alert.is_open, first.opened) == (rule, True, 1)
    assert len(mailoutbox) == 1 and len(chat.calls) == 1
    assert mailoutbox[0].to == ["ops@example.com"]
    assert f"{alert.get_kind_display()} on Acme (2187)" in mailoutbox[0].subject
    assert chat_texts(chat)[0].startswith(f"[goodtime-icims] {alert.get_kind_display()} on Acme (2187)")

    # Still there a minute later, and again: the same alert, no more messages.
    for minutes in (1, 2):
        alerts_evaluate(now=start + timedelta(minutes=minutes))
        alert_notifications_send()
    assert Alert.objects.count() == 1 and Alert.objects.get().is_open
    assert len(mailoutbox) == 1 and len(chat.calls) == 1

    take_away(acme)
    alerts_evaluate(now=start + timedelta(minutes=3))
    assert Alert.objects.get().is_open  # clear, but not for long enough yet

    last = alerts_evaluate(now=start + timedelta(minutes=9))
    alert_notifications_send()
    alert = Alert.objects.get()
    assert (alert.is_open, last.resolved) == (False, 1)
    assert len(mailoutbox) == 2 and len(chat.calls) == 2
    assert mailoutbox[1].subject.startswith("[goodtime-icims] Resolved: ")
    assert "Alert resolved after 9 min" in chat_texts(chat)[1]

    alerts_evaluate(now=start + timedelta(minutes=10))
    alert_notifications_send()
    assert Alert.objects.count() == 1 and len(mailoutbox) == 2 and len(chat.calls) == 2


def test_a_problem_back_before_the_wait_is_over_keeps_the_same_alert_without_a_message(chat, mailoutbox):
    acme = tenant("Acme", "2187")
    start = timezone.now()
    event = webhook_waiting(acme, minutes=5)
    alerts_evaluate(now=start)
    event.state = WebhookEvent.State.PROCESSED
    event.save()
    alerts_evaluate(now=start + timedelta(minutes=1))

    webhook_waiting(acme, minutes=5)  # flapping: back again
    alerts_evaluate(now=start + timedelta(minutes=2))
    alerts_evaluate(now=start + timedelta(minutes=8))
    alert_notifications_send()

    [alert] = Alert.objects.all()
    assert alert.is_open and alert.clear_since is None
    assert len(mailoutbox) == 1 and len(chat.calls) == 1


def test_a_connections_own_recipients_are_told_besides_the_global_ones(chat, mailoutbox):
    acme = tenant("Acme", "2187")
    AlertSettings.objects.create(connection=acme, email_recipients="csm@example.com\nops@example.com")
    writeback_in(acme, state=Writeback.State.DEAD)

    alerts_evaluate()
    alert_notifications_send()

    assert mailoutbox[0].to == ["ops@example.com", "csm@example.com"]


def test_a_connections_threshold_decides_when_its_rule_opens(chat, mailoutbox):
    acme = tenant("Acme", "2187")
    AlertSettings.objects.create(connection=acme, webhook_stuck_minutes=10)
    webhook_waiting(acme, minutes=5)

    assert alerts_evaluate().opened == 0


def test_paused_and_onboarding_connections_raise_no_alert(chat, mailoutbox):
    paused = tenant("Paused", "1", is_active=False)
    onboarding = tenant("Onboarding", "2", initial_sync_done_at=None)
    for connection in (paused, onboarding):
        writeback_in(connection, state=Writeback.State.DEAD)

    assert alerts_evaluate().opened == 0


def test_a_muted_alert_notifies_nobody_and_its_rule_reopening_stays_muted(chat, mailoutbox):
    acme = tenant("Acme", "2187")
    start = timezone.now()
    wb = writeback_in(acme, state=Writeback.State.DEAD)
    alerts_evaluate(now=start)
    Alert.objects.update(muted_until=start + timedelta(hours=1))
    AlertNotification.objects.all().delete()

    wb.state = Writeback.State.SUCCEEDED
    wb.save()
    alerts_evaluate(now=start + timedelta(minutes=1))
    alerts_evaluate(now=start + timedelta(minutes=7))  # resolved, muted: no message
    writeback_in(acme, state=Writeback.State.DEAD)
    alerts_evaluate(now=start + timedelta(minutes=8))  # reopened, still muted
    alert_notifications_send()

    assert [alert.is_open for alert in Alert.objects.order_by("opened_at")] == [False, True]
    assert len(mailoutbox) == 0 and len(chat.calls) == 0


def test_the_tick_stores_every_connections_health(chat):
    acme = tenant("Acme", "2187")
    failed_runs(acme, count=3)

    alerts_evaluate()

    acme.health.refresh_from_db()
    assert acme.health.state == "failing"
    assert acme.health.reason.startswith("jobs sync failed 3 times in a row")


def test_a_tick_while_another_runs_does_nothing(chat):
    acme = tenant("Acme", "2187")
    writeback_in(acme, state=Writeback.State.DEAD)
    lock = icims_shared_state()
    lock.add(TICK_LOCK, "1", ttl=60)

    assert alerts_evaluate().skipped
    assert not Alert.objects.exists()

    lock.delete(TICK_LOCK)
    assert alerts_evaluate().opened == 1


def test_one_connections_undecryptable_secret_stops_no_ones_alerts(chat):
    acme = tenant("Acme", "2187")
    globex = tenant("Globex", "3000")
    failed_runs(globex, count=3)
    # A secret no configured key decrypts (a key dropped from FIELD_ENCRYPTION_KEYS, a bad restore): loading
    # Acme's row whole would raise.
    secret_no_key_decrypts(acme)

    evaluation = alerts_evaluate()

    assert evaluation.connections == 2
    assert Alert.objects.get(connection=globex).kind == AlertKind.SYNC_FAILING
    globex.health.refresh_from_db()
    assert globex.health.state == "failing"
