"""Retention: finished records older than RETENTION_DAYS are deleted, in batches, so that the busiest tables
(and what reads them: /metrics, the admin's lists, the health queries) stay the size of their window instead
of growing with the service's whole history.

What goes, RETENTION_DAYS after it ended:
- webhook events that are done (processed, ignored or failed); a scheduling request keeps its row, without
  the link to the event that last touched it;
- finished sync runs, except each connection and entity's latest successful run, which data age is read from
  (their number by status is kept in the hourly rollups, so the sync run counter of /metrics never falls);
- platform webhook deliveries that were delivered or gave up (dead), with their attempts, and then events
  left with no delivery.

Never: what still waits, runs or retries. Each batch of RETENTION_BATCH_SIZE rows is its own short transaction,
so a run cut short (a deploy, the task's time limit) loses nothing, and the next run goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from integrations.models import (
    Connection,
    HourlyActivity,
    PlatformWebhookDelivery,
    PlatformWebhookMessage,
    WebhookEvent,
)
from sync.models import Entity, SyncRun

from .hourly_activity_record import hourly_activity_record_many

logger = logging.getLogger(__name__)

WEBHOOK_EVENTS_DONE = (WebhookEvent.State.PROCESSED, WebhookEvent.State.IGNORED, WebhookEvent.State.FAILED)
SYNC_RUNS_FINISHED = tuple(
    status for status in SyncRun.Status.values if status not in (SyncRun.Status.RUNNING, SyncRun.Status.QUEUED)
)


@dataclass(frozen=True)
class Kind:
    label: str
    rows: Callable[[datetime], QuerySet]  # the rows past retention, given the cutoff
    before_delete: Callable[[list[int]], None] | None = None  # in the batch's transaction


def _sync_runs_tally(run_ids: list[int]) -> None:
    """Keep the count of the runs about to go (per connection and status), so /metrics' counter stays whole."""
    tally = SyncRun.objects.filter(pk__in=run_ids).values("connection_id", "status").annotate(runs=Count("pk"))
    for row in tally.order_by():
        hourly_activity_record_many(
            connection_id=row["connection_id"],
            series=HourlyActivity.Series.SYNC_RUNS_PRUNED,
            label=row["status"],
            durations=[0.0] * row["runs"],
        )


def _old_webhook_events(cutoff: datetime) -> QuerySet:
    return WebhookEvent.objects.filter(
        received_at__lt=cutoff, state__in=WEBHOOK_EVENTS_DONE, state_changed_at__lt=cutoff
    )


def _old_sync_runs(cutoff: datetime) -> QuerySet:
    return SyncRun.objects.filter(status__in=SYNC_RUNS_FINISHED, finished_at__lt=cutoff).exclude(
        pk__in=_latest_successes()
    )


def _latest_successes() -> list[int]:
    """Each connection and entity's latest successful run: one index probe per pair (connections x entities),
    however many runs the table holds."""
    latest = {
        entity: Subquery(
            SyncRun.objects.filter(connection=OuterRef("pk"), entity=entity, status=SyncRun.Status.SUCCEEDED)
            .order_by("-started_at")
            .values("pk")[:1]
        )
        for entity in Entity.values
    }
    rows = Connection.objects.annotate(**latest).values_list(*Entity.values)
    return [run_id for row in rows for run_id in row if run_id is not None]


def _old_deliveries(cutoff: datetime) -> QuerySet:
    delivered = PlatformWebhookDelivery.objects.filter(
        state=PlatformWebhookDelivery.State.DELIVERED, delivered_at__lt=cutoff
    )
    dead = PlatformWebhookDelivery.objects.filter(state=PlatformWebhookDelivery.State.DEAD, updated_at__lt=cutoff)
    return delivered | dead


def _old_platform_events(cutoff: datetime) -> QuerySet:
    return PlatformWebhookMessage.objects.filter(created_at__lt=cutoff, deliveries__isnull=True)


# In this order: a platform event goes once its deliveries are gone.
KINDS = (
    Kind("webhook events", _old_webhook_events),
    Kind("sync runs", _old_sync_runs, before_delete=_sync_runs_tally),
    Kind("platform webhook deliveries", _old_deliveries),
    Kind("platform webhook events", _old_platform_events),
)


def records_prune(
    *,
    now: datetime | None = None,
    days: int | None = None,
    batch_size: int | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Delete what is past retention; rows deleted per kind. `progress(kind, deleted so far)` after each batch."""
    days = settings.RETENTION_DAYS if days is None else days
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    if days <= 0:
        return {}
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = {}
    for kind in KINDS:
        deleted[kind.label] = _delete_in_batches(kind, cutoff=cutoff, batch_size=batch_size, progress=progress)
        if deleted[kind.label]:
            logger.info("Retention: %s %s older than %s days deleted", deleted[kind.label], kind.label, days)
    return deleted


def _delete_in_batches(
    kind: Kind, *, cutoff: datetime, batch_size: int, progress: Callable[[str, int], None] | None
) -> int:
    deleted = 0
    while True:
        rows = kind.rows(cutoff)
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            return deleted
        with transaction.atomic():
            if kind.before_delete is not None:
                kind.before_delete(batch)
            # The model's own delete: what refers to these rows is handled as the model says (cascade, set null).
            rows.model.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
        logger.debug("Retention: %s %s deleted so far", deleted, kind.label)
        if progress is not None:
            progress(kind.label, deleted)
        if len(batch) < batch_size:
            return deleted
