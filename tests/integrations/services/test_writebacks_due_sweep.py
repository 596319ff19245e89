"""The sweep: sends what is due or whose message got lost, rescues rows a lost worker held, and runs on a beat."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.models import Writeback
from integrations.services.interview_writebacks import interview_create
from integrations.services.writeback_send import writeback_claim, writeback_send
from integrations.services.writebacks_due_sweep import writebacks_due_sweep


def test_the_sweep_sends_a_writeback_whose_message_got_lost(
    advance, sandbox, tasks_run_inline, settings, django_capture_on_commit_callbacks
):
    assert writebacks_due_sweep().enqueued == 0  # just queued: its own message is on its way
    Writeback.objects.filter(pk=advance.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.WRITEBACK_SWEEP_INTERVAL_SECONDS + 1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = writebacks_due_sweep()

    assert result.enqueued == 1
    advance.refresh_from_db()
    assert advance.state == Writeback.State.SUCCEEDED


def test_the_sweep_sends_retries_whose_time_has_come(advance, sandbox, django_capture_on_commit_callbacks):
    Writeback.objects.filter(pk=advance.pk).update(
        state=Writeback.State.RETRYING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert writebacks_due_sweep().enqueued == 0

    assert writebacks_due_sweep(now=timezone.now() + timedelta(minutes=6)).enqueued == 1


def test_a_create_whose_worker_vanished_mid_send_needs_review_not_a_resend(request_with_interview_sync, settings):
    create = interview_create(
        scheduling_request=request_with_interview_sync,
        title="First interview",
        start_time=timezone.now(),
        end_time=timezone.now() + timedelta(hours=1),
        location="",
        interviewers=[],
        external_id="gt-1",
    )
    assert writeback_claim(writeback_id=create.pk)
    Writeback.objects.filter(pk=create.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.WRITEBACK_SENDING_LEASE_SECONDS + 1)
    )

    result = writebacks_due_sweep()

    create.refresh_from_db()
    assert (result.needs_review, create.state) == (1, Writeback.State.DEAD)
    assert create.last_error.startswith("Needs review")


def test_the_sweep_sends_again_what_a_lost_worker_held_past_its_lease(advance, settings):
    assert writeback_claim(writeback_id=advance.pk)
    Writeback.objects.filter(pk=advance.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.WRITEBACK_SENDING_LEASE_SECONDS + 1)
    )

    result = writebacks_due_sweep()

    advance.refresh_from_db()
    assert (result.rescued, advance.state, advance.attempts) == (1, Writeback.State.RETRYING, 1)
    assert writeback_send(writeback_id=advance.pk).state == Writeback.State.SUCCEEDED
