"""`GET /api/v1/scheduling-requests/{id}/timeline/`: the request's story in order, behind the tenant wall."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import WebhookEvent, Writeback, WritebackAttempt

pytestmark = pytest.mark.django_db


def _url(request_id) -> str:
    return f"/api/v1/scheduling-requests/{request_id}/timeline/"


def _event(connection, workflow_id: str, n: int, *, old: str, new: str, at) -> WebhookEvent:
    return WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        system_id=workflow_id,
        old_status=old,
        new_status=new,
        payload={},
        dedupe_key=f"timeline-{workflow_id}-{n}",
        received_at=at,
        state=WebhookEvent.State.PROCESSED,
        outcome="Started scheduling request" if new == "C51218" else "does not trigger scheduling",
    )


@pytest.fixture
def story(acme, make_scheduling_request):
    """An event before the trigger, the trigger, the request opened, an advance tried twice."""
    request = make_scheduling_request(acme, 13437)
    now = timezone.now()
    events = [
        _event(acme, "13437", 0, old="", new="C51211", at=now - timedelta(minutes=30)),
        _event(acme, "13437", 1, old="C51211", new="C51218", at=now - timedelta(minutes=20)),
    ]
    request.opened_at = now + timedelta(seconds=30)
    request.advance_outcome = "Auto-advance queued."
    request.save()
    writeback = Writeback.objects.create(
        connection=acme,
        scheduling_request=request,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-13437",
        state=Writeback.State.SUCCEEDED,
        attempts=2,
    )
    for n, (outcome, status) in enumerate([("retry", 503), ("succeeded", 200)]):
        WritebackAttempt.objects.create(
            writeback=writeback, started_at=now + timedelta(minutes=n + 1), outcome=outcome, http_status=status
        )
    return {"request": request, "events": events, "writeback": writeback}


def test_the_timeline_lists_events_decisions_and_write_backs_oldest_first(acme_api, story):
    answer = acme_api.get(_url(story["request"].pk))

    assert answer.status_code == 200
    body = answer.json()
    assert body["scheduling_request"] == story["request"].pk
    assert body["truncated"] is False
    kinds = [(entry["kind"], entry["title"]) for entry in body["entries"]]
    assert [kind for kind, _ in kinds] == [
        "webhook_event",
        "webhook_event",
        "decision",
        "writeback",
        "decision",
        "writeback_attempt",
        "writeback_attempt",
    ]
    assert kinds[2][1] == "Scheduling request started"
    assert kinds[4][1] == "Opened by the scheduling platform"
    times = [entry["at"] for entry in body["entries"]]
    assert times == sorted(times)
    assert [entry["webhook_event_id"] for entry in body["entries"][:2]] == [e.pk for e in story["events"]]
    attempt = body["entries"][5]
    assert attempt["writeback_id"] == story["writeback"].pk
    assert attempt["writeback_url"].endswith(f"/api/v1/writebacks/{story['writeback'].pk}/")
    assert "HTTP 503" in attempt["detail"]


def test_another_tenants_request_has_no_timeline(globex_api, story):
    answer = globex_api.get(_url(story["request"].pk))

    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_the_timeline_needs_a_token(anonymous_api, story):
    assert anonymous_api.get(_url(story["request"].pk)).status_code == 401


def test_a_limit_keeps_the_newest_entries_and_says_older_ones_were_left_out(acme_api, story):
    body = acme_api.get(_url(story["request"].pk), {"limit": 2}).json()

    assert [entry["kind"] for entry in body["entries"]] == ["writeback_attempt", "writeback_attempt"]
    assert body["truncated"] is True


def test_a_long_story_is_bounded(acme, acme_api, make_scheduling_request):
    request = make_scheduling_request(acme, 777)
    start = timezone.now() - timedelta(days=1)
    for n in range(30):
        _event(acme, "777", n, old="C51211", new="C51211", at=start + timedelta(minutes=n))

    body = acme_api.get(_url(request.pk), {"limit": 10}).json()

    assert len(body["entries"]) == 10
    assert body["truncated"] is True
    assert body["entries"][-1]["kind"] == "decision"  # the request started after every event


@pytest.mark.parametrize("limit", ["0", "501", "ten", "-3"])
def test_a_bad_limit_is_refused_and_named(acme_api, story, limit):
    answer = acme_api.get(_url(story["request"].pk), {"limit": limit})

    assert answer.status_code == 400
    assert "limit" in answer.json()["error"]["details"]
