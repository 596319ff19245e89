"""Retry now: dead and retrying write-backs are made due and sent again; every other state is left alone."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from integrations.models import Writeback
from integrations.services.writebacks_retry_now import writebacks_retry_now

OTHER_STATES = (Writeback.State.PENDING, Writeback.State.SENDING, Writeback.State.SUCCEEDED, Writeback.State.SKIPPED)


def _writeback(connection, key: str, state: str, **values) -> Writeback:
    return Writeback.objects.create(
        connection=connection, action=Writeback.Action.INTERVIEW_CANCEL, idempotency_key=key, state=state, **values
    )


def test_dead_and_retrying_rows_are_made_due_and_sent_again(connection, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(hours=1)
    dead = _writeback(connection, "dead", Writeback.State.DEAD, attempts=6, completed_at=timezone.now())
    retrying = _writeback(connection, "retrying", Writeback.State.RETRYING, attempts=2, next_attempt_at=later)

    with django_capture_on_commit_callbacks() as callbacks:
        count = writebacks_retry_now(writebacks=Writeback.objects.all())

    assert count == 2
    assert len(callbacks) == 2  # one send enqueued for each
    for row in (dead, retrying):
        row.refresh_from_db()
        assert (row.state, row.completed_at) == (Writeback.State.RETRYING, None)
        assert row.next_attempt_at <= timezone.now()
    assert (dead.attempts, retrying.attempts) == (6, 2)  # attempts are kept


def test_rows_in_any_other_state_are_left_alone(connection, django_capture_on_commit_callbacks):
    for state in OTHER_STATES:
        _writeback(connection, state, state)

    with django_capture_on_commit_callbacks() as callbacks:
        count = writebacks_retry_now(writebacks=Writeback.objects.all())

    assert count == 0
    assert not callbacks
    assert sorted(Writeback.objects.values_list("idempotency_key", "state")) == sorted(
        (state, state)
        for state in (
            Writeback.State.PENDING,
            Writeback.State.SENDING,
            Writeback.State.SUCCEEDED,
            Writeback.State.SKIPPED,
        )
    )
