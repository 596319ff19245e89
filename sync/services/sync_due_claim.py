"""Due runs are claimed by the sync workers, not enqueued one by one by the dispatcher.

The dispatcher's tick only counts what is due and sends one message: a chain of urgent messages
(`sync_claims_release`, one per JITTER_SLICE_SECONDS of SYNC_DISPATCH_JITTER_SECONDS) that puts that many
*claims* on the sync queue, a slice at a time, so tenants do not all start on the same second. A claim
names no run: the sync worker that takes it claims the earliest due (connection, entity) itself
(`FOR UPDATE SKIP LOCKED`, so two workers never take the same one), makes it due again a cadence later,
and runs it. So the tick costs the same few queries and one message whether 1 or 600 runs are due; the
row-per-run work is done by the sync worker running that run, where it is a small part of the run.

A counter in the shared state holds the claims sent and not yet taken, so a tick while the workers are
behind sends only what the queue does not already cover. Each tick that raises it renews its life of two
dispatch intervals; one left where it was lapses, so claims lost with their messages cost at most that.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.models import SECRET_FIELDS, Connection
from integrations.services.icims_clients import icims_shared_state

from ..engine import sync_entity_run
from ..models import SyncRun, SyncState

logger = logging.getLogger(__name__)

# Tasks are sent by name (sync/tasks.py registers them under these): tasks import services, never the reverse.
SYNC_DUE_CLAIM_TASK = "sync.tasks.sync_due_claim"
SYNC_CLAIMS_RELEASE_TASK = "sync.tasks.sync_claims_release"
CLAIMS_PENDING_KEY = "sync:claims-pending"
JITTER_SLICE_SECONDS = 5
BUSY_STATUSES = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)


def _pending_ttl() -> float:
    return 2 * settings.SYNC_DISPATCH_INTERVAL_SECONDS + settings.SYNC_DISPATCH_JITTER_SECONDS


def claims_pending() -> int:
    """Claims sent and not yet taken by a sync worker (never below zero)."""
    return max(0, int(icims_shared_state().get(CLAIMS_PENDING_KEY) or 0))


def slice_counts(*, claims: int, spread_seconds: int) -> list[int]:
    """`claims` spread evenly over the slices of `spread_seconds` (one slice when there is no spread)."""
    slices = max(1, min(claims, -(-spread_seconds // JITTER_SLICE_SECONDS)))
    return [claims // slices + (1 if index < claims % slices else 0) for index in range(slices)]


def sync_claims_send(*, due: int) -> int:
    """Send claims for `due` runs, less the claims still pending: one shared-state round trip and one
    message. Returns the claims sent."""
    wanted = icims_shared_state().top_up(CLAIMS_PENDING_KEY, target=due, ttl=_pending_ttl())
    if wanted <= 0:
        return 0
    counts = slice_counts(claims=wanted, spread_seconds=settings.SYNC_DISPATCH_JITTER_SECONDS)
    current_app.tasks[SYNC_CLAIMS_RELEASE_TASK].apply_async((counts,), argsrepr=repr((counts,)), kwargsrepr="{}")
    return wanted


def sync_claims_release(*, counts: list[int]) -> None:
    """Put the first slice's claims on the sync queue now, and the rest a slice later (urgent worker)."""
    if not counts:
        return
    claim = current_app.tasks[SYNC_DUE_CLAIM_TASK]
    with current_app.producer_or_acquire() as producer:
        for _ in range(counts[0]):
            claim.apply_async((), producer=producer, argsrepr="()", kwargsrepr="{}")
    if counts[1:]:
        rest = counts[1:]
        current_app.tasks[SYNC_CLAIMS_RELEASE_TASK].apply_async(
            (rest,), countdown=JITTER_SLICE_SECONDS, argsrepr=repr((rest,)), kwargsrepr="{}"
        )


def _claim_one(*, now: datetime) -> tuple[int, int, str, datetime | None] | None:
    """The earliest due state of an active connection nobody else is claiming, made due a cadence later."""
    due = Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    with transaction.atomic():
        claimed = (
            SyncState.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due, connection__is_active=True)
            .order_by(F("next_run_at").asc(nulls_first=True), "pk")
            .values_list("pk", "connection_id", "entity", "last_full_run_at")
            .first()
        )
        if claimed is not None:
            # Not due again until a cadence from now; the run's end sets the real next time.
            SyncState.objects.filter(pk=claimed[0]).update(
                next_run_at=now + timedelta(seconds=settings.SYNC_INTERVAL_SECONDS)
            )
    return claimed


def sync_due_claim(*, now: datetime | None = None) -> SyncRun | None:
    """Claim the earliest due run and run it here; None when nothing is due (another worker took it).

    A (connection, entity) that already has a run queued ("Sync now") or running is passed over, as the
    dispatcher always did: it is made due a cadence later and the next due one is claimed instead."""
    icims_shared_state().incr(CLAIMS_PENDING_KEY, amount=-1, ttl=_pending_ttl())
    now = now or timezone.now()
    reconcile_before = now - timedelta(seconds=settings.SYNC_RECONCILE_INTERVAL_SECONDS)
    while (claimed := _claim_one(now=now)) is not None:
        _, connection_id, entity, walked = claimed
        if SyncRun.objects.filter(connection_id=connection_id, entity=entity, status__in=BUSY_STATUSES).exists():
            continue
        # Secrets load when the run builds its iCIMS client: one that cannot be decrypted fails this run,
        # recorded with the reason (and alerted on), instead of the claim.
        connection = Connection.objects.defer(*SECRET_FIELDS).filter(pk=connection_id).first()
        if connection is None:
            continue
        full = walked is not None and walked < reconcile_before  # the weekly reconcile
        return sync_entity_run(connection=connection, entity=entity, full=full)
    return None
