"""Scheduling requests in the admin: read-only, filterable, and visible to CSMs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import SchedulingRequest, Stage

CHANGELIST = "admin:integrations_schedulingrequest_changelist"


@pytest.fixture
def scheduling_request(connection):
    stage = Stage.objects.create(
        connection=connection,
        bin="Interview",
        status="First Interview - Schedule",
        status_id="C51218",
        triggers_scheduling=True,
    )
    return SchedulingRequest.objects.create(
        connection=connection, workflow_id="13437", candidate_id="8986", job_id="4442", trigger_stage=stage
    )


def test_a_csm_sees_scheduling_requests_but_cannot_change_them(csm_client, scheduling_request):
    listing = csm_client.get(reverse(CHANGELIST))
    detail = csm_client.get(reverse("admin:integrations_schedulingrequest_change", args=[scheduling_request.pk]))
    posted = csm_client.post(
        reverse("admin:integrations_schedulingrequest_change", args=[scheduling_request.pk]), {"state": "cancelled"}
    )

    assert listing.status_code == 200
    assert "13437" in listing.content.decode()
    assert detail.status_code == 200
    assert posted.status_code == 403
    scheduling_request.refresh_from_db()
    assert scheduling_request.state == "pending"


def test_requests_are_found_by_workflow_candidate_or_job_and_filtered_by_state(superadmin_client, scheduling_request):
    for term in ("13437", "8986", "4442"):
        assert superadmin_client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_count == 1
    assert superadmin_client.get(reverse(CHANGELIST), {"q": "999"}).context["cl"].result_count == 0
    assert superadmin_client.get(reverse(CHANGELIST), {"state": "opened"}).context["cl"].result_count == 0
    assert (
        superadmin_client.get(reverse(CHANGELIST), {"trigger_stage__id__exact": scheduling_request.trigger_stage_id})
        .context["cl"]
        .result_count
        == 1
    )


def test_nobody_adds_a_request_by_hand(superadmin_client):
    assert superadmin_client.get(reverse("admin:integrations_schedulingrequest_add")).status_code == 403


@pytest.fixture
def followed(scheduling_request, connection):
    """A request with its candidate and job mirrored, two events of its workflow and a write-back tried twice."""
    from datetime import timedelta

    from django.utils import timezone

    from integrations.models import WebhookEvent, Writeback, WritebackAttempt
    from sync.models import Candidate, Job

    now = timezone.now()
    mirrored = {"synced_at": now, "seen_at": now, "folder": "Cand:Active"}
    Candidate.objects.create(connection=connection, icims_id=8986, firstname="Ada", lastname="Lovelace", **mirrored)
    Job.objects.create(connection=connection, icims_id=4442, jobtitle="Analytical Engineer", **mirrored)
    Stage.objects.create(connection=connection, bin="Screen", status="Phone Screen", status_id="C51211")
    events = [
        WebhookEvent.objects.create(
            connection=connection,
            event_type="WorkFlowStatusChangeEvent",
            customer_id=connection.customer_id,
            system_id="13437",
            old_status=old,
            new_status=new,
            payload={},
            dedupe_key=f"e{n}",
            received_at=now - timedelta(minutes=30 - n),
            state=WebhookEvent.State.PROCESSED,
            outcome=outcome,
        )
        for n, (old, new, outcome) in enumerate(
            [("", "C51211", "does not trigger scheduling"), ("C51211", "C51218", "Started scheduling request")]
        )
    ]
    scheduling_request.last_event = events[1]
    scheduling_request.save()
    writeback = Writeback.objects.create(
        connection=connection,
        scheduling_request=scheduling_request,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-13437",
        state=Writeback.State.SUCCEEDED,
        attempts=2,
    )
    for n, (outcome, status) in enumerate([("retry", 503), ("succeeded", 200)]):
        WritebackAttempt.objects.create(
            writeback=writeback, started_at=now + timedelta(minutes=n + 1), outcome=outcome, http_status=status
        )
    return {"events": events, "writeback": writeback}


def test_the_list_shows_candidate_and_job_names_from_the_mirror(csm_client, followed):
    listing = csm_client.get(reverse(CHANGELIST)).content.decode()

    assert "Ada Lovelace <small>(iCIMS id 8986)</small>" in listing
    assert "Analytical Engineer <small>(iCIMS id 4442)</small>" in listing


def test_a_request_not_yet_in_the_mirror_shows_its_ids(csm_client, scheduling_request):
    listing = csm_client.get(reverse(CHANGELIST)).content.decode()

    assert "iCIMS id 8986" in listing


def test_the_request_page_follows_the_candidate_through_one_linked_timeline(
    superadmin_client, scheduling_request, followed
):
    page = superadmin_client.get(
        reverse("admin:integrations_schedulingrequest_change", args=[scheduling_request.pk])
    ).content.decode()

    assert "Interview / First Interview - Schedule <small>(status id C51218)</small>" in page  # from the stages
    timeline = page[page.index('class="scheduling-timeline"') :]
    order = [
        "WorkFlowStatusChangeEvent: none → Screen / Phone Screen (C51211)",
        "WorkFlowStatusChangeEvent: Screen / Phone Screen (C51211) → Interview / First Interview - Schedule (C51218)",
        "Scheduling request started",
        "advance status queued",
        "advance status attempt: retry",
        "advance status attempt: succeeded",
    ]
    positions = [timeline.index(text) for text in order]
    assert positions == sorted(positions)
    for event in followed["events"]:
        assert reverse("admin:integrations_webhookevent_change", args=[event.pk]) in timeline
    assert reverse("admin:integrations_writeback_change", args=[followed["writeback"].pk]) in timeline
    assert "HTTP 503" in timeline


def test_requests_are_found_by_connection_name(superadmin_client, scheduling_request):
    assert superadmin_client.get(reverse(CHANGELIST), {"q": "acm"}).context["cl"].result_count == 1


def test_a_csm_sees_the_timeline_without_links_to_pages_it_may_not_open(csm_client, scheduling_request, followed):
    page = csm_client.get(
        reverse("admin:integrations_schedulingrequest_change", args=[scheduling_request.pk])
    ).content.decode()

    assert "advance status attempt: retry" in page
    assert reverse("admin:integrations_writeback_change", args=[followed["writeback"].pk]) not in page
    assert reverse("admin:integrations_webhookevent_change", args=[followed["events"][0].pk]) not in page
