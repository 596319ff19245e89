"""Queue a change for iCIMS in the outbox, once per idempotency key."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from integrations.models import Connection, SchedulingRequest, Writeback

from .task_queue import WRITEBACK_SEND, task_enqueue

logger = logging.getLogger(__name__)


def writeback_enqueue(
    *,
    connection: Connection,
    action: str,
    idempotency_key: str,
    payload: dict,
    scheduling_request: SchedulingRequest | None = None,
) -> Writeback:
    """The outbox row for this key: a new pending one (sent after commit), or the one already queued.

    An existing key returns the existing row whatever its state, so no action is ever queued (and
    therefore sent) twice, even when a caller repeats itself.
    """
    if action not in Writeback.Action.values:
        raise ValueError(f"Unknown write-back action {action!r}; expected one of {', '.join(Writeback.Action.values)}.")
    existing = Writeback.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            writeback = Writeback.objects.create(
                connection=connection,
                action=action,
                idempotency_key=idempotency_key,
                payload=payload,
                scheduling_request=scheduling_request,
            )
            transaction.on_commit(lambda: writeback_task_enqueue(writeback_id=writeback.pk), robust=True)
    except IntegrityError:  # a concurrent caller queued the same key first
        return Writeback.objects.get(idempotency_key=idempotency_key)
    logger.info("Write-back %s queued: %s for connection %s", writeback.pk, action, connection.pk)
    return writeback


def writeback_task_enqueue(*, writeback_id: int, countdown: float | None = None) -> None:
    task_enqueue(name=WRITEBACK_SEND, args=(writeback_id,), countdown=countdown)
