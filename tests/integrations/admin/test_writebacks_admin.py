"""The write-back outbox in the admin: attempts shown read-only, dead ones retried by a super admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Writeback, WritebackAttempt

CHANGELIST = "admin:integrations_writeback_changelist"


@pytest.fixture
def dead_writeback(connection):
    writeback = Writeback.objects.create(
        connection=connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key="advance:1",
        payload={"workflow_id": "13437", "from_status_id": "C51218", "to_status_id": "C51219"},
        state=Writeback.State.DEAD,
        attempts=6,
        last_error="Gave up after 6 attempts: IcimsServerError",
        completed_at=timezone.now(),
    )
    WritebackAttempt.objects.create(
        writeback=writeback,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        outcome="dead: gave up",
        http_status=503,
        response_headers={"x-transaction": "{ABC-123}"},
    )
    return writeback


def test_a_writeback_page_shows_its_attempts(superadmin_client, dead_writeback):
    page = superadmin_client.get(reverse("admin:integrations_writeback_change", args=[dead_writeback.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert "{ABC-123}" in content and "dead: gave up" in content


def test_retry_now_makes_a_dead_writeback_due_and_leaves_succeeded_ones_alone(
    superadmin_client, dead_writeback, connection, django_capture_on_commit_callbacks
):
    done = Writeback.objects.create(
        connection=connection,
        action=Writeback.Action.INTERVIEW_CANCEL,
        idempotency_key="cancel:1",
        state=Writeback.State.SUCCEEDED,
    )

    with django_capture_on_commit_callbacks() as callbacks:
        response = superadmin_client.post(
            reverse(CHANGELIST), {"action": "retry_now", "_selected_action": [dead_writeback.pk, done.pk]}, follow=True
        )

    assert "1 write-back(s) sent again. 1 skipped" in response.content.decode()
    dead_writeback.refresh_from_db()
    done.refresh_from_db()
    assert (dead_writeback.state, dead_writeback.completed_at) == (Writeback.State.RETRYING, None)
    assert dead_writeback.next_attempt_at <= timezone.now()
    assert done.state == Writeback.State.SUCCEEDED
    assert len(callbacks) == 1  # one send enqueued


def test_a_csm_does_not_see_the_outbox(csm_client, dead_writeback):
    assert csm_client.get(reverse(CHANGELIST)).status_code == 403
