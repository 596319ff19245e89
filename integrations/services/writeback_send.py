"""Send one outbox row to iCIMS: claim it, check, send, confirm, and decide what happens next.

Only the worker whose conditional UPDATE moved the row to "sending" goes on. A failure iCIMS may
recover from is retried after the delays in WRITEBACK_RETRY_DELAYS_MINUTES (1, 5, 15, 30, 60
minutes: the first send plus five retries); when they run out the row is dead. A failure no retry
can fix is dead at once, with the reason. A wait (work_waits.py: a 429 or a spent daily allowance,
our exhausted budget, an open circuit breaker) postpones the send to the moment it may go on without
counting an attempt; a paused connection holds it until the connection is resumed.

On the urgent workers a send runs in its tenant's urgent lane (urgent_lane.py): over the tenant's cap it
comes back in a second, and a tenant whose iCIMS timed out has its write-backs sent by the sync workers
(`patient`), attempts intact. Write-backs keep the full timeouts everywhere: a POST cut short by our own
impatience may still have created the interview.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.icims.errors import IcimsError, IcimsTimeout
from integrations.models import HourlyActivity, Writeback, WritebackAttempt

from .hourly_activity_record import hourly_activity_record
from .platform_webhook_events import (
    SCHEDULING_REQUEST_UPDATED,
    WRITEBACK_DEAD,
    WRITEBACK_NEEDS_REVIEW,
    WRITEBACK_SUCCEEDED,
    RequestChange,
    scheduling_request_event_emit,
    writeback_event_emit,
)
from .task_queue import WRITEBACK_SEND_PATIENT, task_enqueue
from .urgent_lane import SLOW_REASON, TenantSlow, UrgentLaneBusy, tenant_mark_slow, urgent_lane
from .work_waits import WAIT_ERRORS, ConnectionPaused, Wait, wait_for
from .writeback_actions import (
    ACTION_SENDERS,
    ResponseRecorder,
    SendResult,
    WritebackNeedsReview,
    WritebackNotConfirmed,
    WritebackWaiting,
    advance_outcome_record,
)
from .writeback_enqueue import writeback_task_enqueue

logger = logging.getLogger(__name__)


def writeback_claim(*, writeback_id: int, now=None) -> bool:
    now = now or timezone.now()
    claimed = Writeback.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=writeback_id,
        state__in=[Writeback.State.PENDING, Writeback.State.RETRYING],
    ).update(state=Writeback.State.SENDING, attempts=F("attempts") + 1, updated_at=now)
    return claimed == 1


def writeback_send(*, writeback_id: int, patient: bool = False) -> Writeback | None:
    """Send the write-back if this caller wins the claim and it is due; None otherwise. `patient`: on the
    sync workers (a slow tenant's), outside the urgent lane."""
    if not writeback_claim(writeback_id=writeback_id):
        return None
    writeback = Writeback.objects.select_related("connection", "scheduling_request").get(pk=writeback_id)
    attempt = WritebackAttempt.objects.create(writeback=writeback, started_at=timezone.now())
    recorder = ResponseRecorder(api_url=writeback.connection.api_url)
    try:
        if not writeback.connection.is_active:
            raise ConnectionPaused()
        with nullcontext() if patient else urgent_lane(connection=writeback.connection):
            result = ACTION_SENDERS[writeback.action](writeback=writeback, recorder=recorder)
    except UrgentLaneBusy as exc:
        retry_at = timezone.now() + timedelta(seconds=settings.URGENT_TENANT_BUSY_RETRY_SECONDS)
        _wait(writeback, attempt, recorder, error=exc, wait=Wait(str(exc), until=retry_at))
    except TenantSlow as exc:
        _hand_to_patient_path(writeback, attempt, recorder, error=exc)
    except (*WAIT_ERRORS, ConnectionPaused) as exc:
        _wait(writeback, attempt, recorder, error=exc, wait=wait_for(exc), patient=patient)
    except WritebackWaiting as exc:
        retry_at = timezone.now() + _retry_delay(1)
        _wait(writeback, attempt, recorder, error=exc, wait=Wait(str(exc), until=retry_at), patient=patient)
    except WritebackNeedsReview as exc:
        _finish(writeback, attempt, recorder, state=Writeback.State.DEAD, outcome="dead: needs review", error=str(exc))
    except (IcimsError, WritebackNotConfirmed) as exc:
        if isinstance(exc, IcimsTimeout) and not patient:  # the tenant's next urgent work goes to the sync workers
            tenant_mark_slow(connection=writeback.connection)
        if getattr(exc, "retryable", True):
            _retry_or_die(writeback, attempt, recorder, error=exc)
        else:
            _finish(
                writeback,
                attempt,
                recorder,
                state=Writeback.State.DEAD,
                outcome="dead: iCIMS refused",
                error=_describe(exc),
            )
    except Exception as exc:  # a bug or an outage of ours: keep the row, retry like any transient failure
        logger.exception("Write-back %s failed unexpectedly", writeback.pk)
        _retry_or_die(writeback, attempt, recorder, error=exc)
    else:
        _finish(
            writeback,
            attempt,
            recorder,
            state=result.state,
            outcome=result.state,
            error=result.reason,
            result=result.result,
        )
    writeback.refresh_from_db()
    if writeback.action == Writeback.Action.ADVANCE_STATUS:
        advance_outcome_record(writeback=writeback)
    return writeback


def writeback_retry_delays() -> list[timedelta]:
    return [timedelta(minutes=minutes) for minutes in settings.WRITEBACK_RETRY_DELAYS_MINUTES]


def _retry_delay(failure_number: int) -> timedelta:
    delays = writeback_retry_delays()
    return delays[min(failure_number, len(delays)) - 1]


def _retry_or_die(
    writeback: Writeback, attempt: WritebackAttempt, recorder: ResponseRecorder, *, error: Exception
) -> None:
    retries_left = len(writeback_retry_delays()) - (writeback.attempts - 1)
    if retries_left <= 0:
        _finish(
            writeback,
            attempt,
            recorder,
            state=Writeback.State.DEAD,
            outcome="dead: gave up",
            error=f"Gave up after {writeback.attempts} attempts: {_describe(error)}",
        )
        return
    delay = _retry_delay(writeback.attempts)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    _finish(
        writeback,
        attempt,
        recorder,
        state=Writeback.State.RETRYING,
        outcome=f"retry in {int(delay.total_seconds())}s",
        error=_describe(error),
        next_attempt_at=timezone.now() + delay,
    )


def _wait(
    writeback: Writeback,
    attempt: WritebackAttempt,
    recorder: ResponseRecorder,
    *,
    error: Exception,
    wait: Wait,
    patient: bool = False,
) -> None:
    """Not sent, not counted: it goes again when the wait ends (a short wait as a countdown, a long one by
    the due sweep, a paused connection's by its resume); a short one on the path it came by."""
    _finish(
        writeback,
        attempt,
        recorder,
        state=Writeback.State.RETRYING,
        outcome=f"waiting until {wait.until:%Y-%m-%d %H:%M:%S} UTC (not counted as an attempt)"
        if wait.until
        else "held while the connection is paused (not counted as an attempt)",
        error=_describe(error),
        next_attempt_at=wait.until,
        uncount=True,
        waiting=wait,
    )
    countdown = wait.countdown
    if countdown is not None:
        if patient:
            transaction.on_commit(
                lambda: task_enqueue(name=WRITEBACK_SEND_PATIENT, args=(writeback.pk,), countdown=countdown),
                robust=True,
            )
        else:
            transaction.on_commit(
                lambda: writeback_task_enqueue(writeback_id=writeback.pk, countdown=countdown), robust=True
            )


def _hand_to_patient_path(
    writeback: Writeback, attempt: WritebackAttempt, recorder: ResponseRecorder, *, error: Exception
) -> None:
    """Not sent, not counted: the sync workers send it now (due at once, so their claim takes it)."""
    now = timezone.now()
    _finish(
        writeback,
        attempt,
        recorder,
        state=Writeback.State.RETRYING,
        outcome="handed to the sync workers (not counted as an attempt)",
        error=_describe(error),
        next_attempt_at=now,
        uncount=True,
        waiting=Wait(SLOW_REASON, until=now + timedelta(seconds=settings.URGENT_SLOW_TENANT_SECONDS)),
    )
    transaction.on_commit(lambda: task_enqueue(name=WRITEBACK_SEND_PATIENT, args=(writeback.pk,)), robust=True)


def _finish(
    writeback: Writeback,
    attempt: WritebackAttempt,
    recorder: ResponseRecorder,
    *,
    state: str,
    outcome: str,
    error: str = "",
    result: dict | None = None,
    next_attempt_at=None,
    uncount: bool = False,
    waiting: Wait | None = None,
) -> None:
    now = timezone.now()
    changes = {"state": state, "last_error": error[:4000], "next_attempt_at": next_attempt_at, "updated_at": now}
    if waiting is not None:
        changes.update(waiting_since=writeback.waiting_since or now, waiting_reason=waiting.reason)
    else:
        changes.update(waiting_since=None, waiting_reason="")
    if state in (Writeback.State.SUCCEEDED, Writeback.State.SKIPPED, Writeback.State.DEAD):
        changes["completed_at"] = now
    if result is not None:
        changes["result"] = {**Writeback.objects.get(pk=writeback.pk).result, **result}
    if uncount:
        changes["attempts"] = F("attempts") - 1
    # Only while still ours: if the sweeper took the row back after our lease ran out, it decides.
    with transaction.atomic():
        finished = Writeback.objects.filter(
            pk=writeback.pk, state=Writeback.State.SENDING, attempts=writeback.attempts
        ).update(**changes)
        if finished:
            writeback_outcome_announce(writeback=writeback, state=state, outcome=outcome, reason=error)
    if finished:
        hourly_activity_record(
            connection_id=writeback.connection_id,
            series=HourlyActivity.Series.WRITEBACK_OUTCOMES,
            label=state,
            seconds=(now - writeback.created_at).total_seconds(),
            at=now,
        )
    attempt.finished_at = now
    attempt.outcome = outcome[:200]
    attempt.error = error[:4000]
    attempt.http_status = recorder.status
    attempt.response_headers = recorder.headers
    attempt.save()
    log = logger.info if state in (Writeback.State.SUCCEEDED, Writeback.State.SKIPPED) else logger.warning
    log(
        "Write-back %s (%s) attempt %s: %s %s", writeback.pk, writeback.action, writeback.attempts, outcome, error[:300]
    )


def writeback_outcome_announce(*, writeback: Writeback, state: str, outcome: str, reason: str) -> None:
    """Tell the scheduling platform how the write-back ended (in the transaction that records it)."""
    if state == Writeback.State.SUCCEEDED:
        writeback_event_emit(event_type=WRITEBACK_SUCCEEDED, writeback=writeback)
    elif state == Writeback.State.DEAD:
        needs_review = outcome.startswith("dead: needs review")
        writeback_event_emit(
            event_type=WRITEBACK_NEEDS_REVIEW if needs_review else WRITEBACK_DEAD, writeback=writeback, reason=reason
        )
    elif (
        state == Writeback.State.SKIPPED
        and writeback.action == Writeback.Action.ADVANCE_STATUS
        and writeback.scheduling_request is not None
    ):
        # The advance found the candidate already moved on in iCIMS by a recruiter.
        scheduling_request_event_emit(
            event_type=SCHEDULING_REQUEST_UPDATED,
            request=writeback.scheduling_request,
            change=RequestChange.CANDIDATE_MOVED_ON,
        )


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


__all__ = ["SendResult", "writeback_claim", "writeback_retry_delays", "writeback_send"]
