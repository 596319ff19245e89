"""A CSM follows one candidate: from the scheduling requests to the request's timeline and on to an event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from integrations.models import SchedulingRequest, Stage, WebhookEvent, Writeback, WritebackAttempt
from sync.models import Candidate, Job

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_csm_follows_a_candidate_from_the_list_through_the_timeline(browser, log_in, screenshot, csm, connection):
    now = timezone.now()
    mirrored = {"synced_at": now, "seen_at": now, "folder": "Cand:Active"}
    Candidate.objects.create(connection=connection, icims_id=8986, firstname="Ada", lastname="Lovelace", **mirrored)
    Job.objects.create(connection=connection, icims_id=4442, jobtitle="Analytical Engineer", **mirrored)
    stage = Stage.objects.create(
        connection=connection, bin="Interview", status="First Interview - Schedule", status_id="C51218"
    )
    event = WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        system_id="13437",
        new_status="C51218",
        payload={},
        dedupe_key="e1",
        received_at=now - timedelta(minutes=5),
        state=WebhookEvent.State.PROCESSED,
        outcome="Started scheduling request.",
    )
    request = SchedulingRequest.objects.create(
        connection=connection,
        workflow_id="13437",
        candidate_id="8986",
        job_id="4442",
        trigger_stage=stage,
        last_event=event,
    )
    writeback = Writeback.objects.create(
        connection=connection,
        scheduling_request=request,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance-13437",
        state=Writeback.State.RETRYING,
        attempts=1,
        last_error="iCIMS answered 503",
    )
    WritebackAttempt.objects.create(
        writeback=writeback, started_at=now + timedelta(seconds=5), outcome="retry", http_status=503
    )
    log_in("casey", "pw-casey")

    browser.get(browser.url("/admin/integrations/schedulingrequest/"))
    row = browser.find_element(By.CSS_SELECTOR, "#result_list tbody tr")
    assert "Ada Lovelace" in row.text and "Analytical Engineer" in row.text
    screenshot("list")
    row.find_element(By.CSS_SELECTOR, "th a").click()

    timeline = browser.find_element(By.CSS_SELECTOR, "table.scheduling-timeline")
    kinds = [cell.text for cell in timeline.find_elements(By.CSS_SELECTOR, "tbody tr td:nth-child(2)")]
    assert kinds == ["webhook event", "decision", "write-back", "attempt"]
    assert "HTTP 503" in timeline.text
    screenshot("timeline")
