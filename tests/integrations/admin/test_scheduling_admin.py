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
