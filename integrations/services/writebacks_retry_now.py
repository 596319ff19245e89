"""Send dead or retrying write-backs again now: a person's decision, from the admin."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from integrations.models import Writeback

from .writeback_enqueue import writeback_task_enqueue

RETRYABLE_BY_HAND = (Writeback.State.DEAD, Writeback.State.RETRYING)


def writebacks_retry_now(*, writebacks: QuerySet[Writeback]) -> int:
    """Make dead and retrying rows due now and enqueue them; returns how many.

    A dead row gets one more send (its attempts are kept, so a failure makes it dead again at once).
    Rows in any other state are left alone: succeeded and skipped ones are done, sending ones are held
    by a worker, pending ones are on their way.
    """
    with transaction.atomic():
        ids = list(writebacks.filter(state__in=RETRYABLE_BY_HAND).values_list("pk", flat=True))
        now = timezone.now()
        Writeback.objects.filter(pk__in=ids, state__in=RETRYABLE_BY_HAND).update(
            state=Writeback.State.RETRYING, next_attempt_at=now, completed_at=None, updated_at=now
        )
        for writeback_id in ids:
            transaction.on_commit(
                lambda writeback_id=writeback_id: writeback_task_enqueue(writeback_id=writeback_id), robust=True
            )
    return len(ids)
