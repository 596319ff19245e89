"""What one sync run carries from start to end: its client, lock, run row, clocks, and the fetch-and-write
step every mode shares (profile GETs for a batch of ids, one bulk upsert, counts and progress saved).

A run never sleeps on its tenant. When iCIMS asks for a pause, the budget is spent or the circuit
breaker is open, the call raises RunDeferred with the moment the run may go on: the run ends as
deferred, its lock is released, and what it committed stays (the next run resumes from there). When
the connection is paused meanwhile, the next call raises RunPaused.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.utils import timezone

from integrations.icims.client import IcimsClient
from integrations.icims.errors import (
    IcimsAccessDenied,
    IcimsBudgetExhausted,
    IcimsCircuitOpen,
    IcimsError,
    IcimsNotFound,
    IcimsRateLimited,
)
from integrations.models import Connection
from integrations.services.api_usage import api_call_record

from .entities import EntitySpec, entity_spec
from .locks import SyncLock
from .models import ScopeState, SyncRun, SyncState
from .services import UpsertCounts, records_upsert

logger = logging.getLogger(__name__)

T = TypeVar("T")

WRITE_BATCH_SIZE = 1000
# How often (seconds) a run looks whether its connection was paused meanwhile.
PAUSE_CHECK_SECONDS = 1.0
# A wait nobody named the length of (an open breaker without a cool-down left, a pause without Retry-After).
DEFAULT_DEFER_SECONDS = 60.0

# Waits that say nothing about the endpoint called: the whole connection must wait a while.
CONNECTION_WIDE_WAITS = (IcimsRateLimited, IcimsBudgetExhausted, IcimsCircuitOpen)


class RunDeferred(Exception):
    """The connection may not call iCIMS for a while: the run stops and may go on at `until`."""

    def __init__(self, reason: str, *, until: datetime) -> None:
        super().__init__(reason)
        self.reason = reason
        self.until = until


class RunPaused(Exception):
    """The connection was paused while the run was in flight: it stops at its next call."""


ACCESS_DENIED: Any = object()  # a marker: the profile exists but security rules hide it from the API user

RUN_PROGRESS_FIELDS = [
    "seen_count",
    "created_count",
    "updated_count",
    "unchanged_count",
    "left_scope_count",
    "deleted_count",
    "calls_spent",
    "progress_done",
    "heartbeat_at",
    "cursor_out",
]


@dataclass
class CallTally:
    """Calls this run made; written to the ledger per batch rather than one UPDATE per call."""

    connection_id: int
    total: int = 0
    pending: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, purpose, status: int, method: str) -> None:
        with self.lock:  # called from the fetching threads
            self.total += 1
            self.pending[(str(purpose), status == 0 or status >= 400)] += 1

    def flush(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, Counter()
        by_purpose: dict[str, list[int]] = {}
        for (purpose, failed), calls in pending.items():
            tally = by_purpose.setdefault(purpose, [0, 0])
            tally[0] += calls
            tally[1] += calls if failed else 0
        for purpose, (calls, failed) in by_purpose.items():
            api_call_record(
                connection_id=self.connection_id, purpose=purpose, status=200, calls=calls, failed_calls=failed
            )


class RunContext:
    def __init__(
        self,
        *,
        connection: Connection,
        entity: str,
        state: SyncState,
        run: SyncRun,
        lock: SyncLock,
        client: IcimsClient,
        now: Callable[[], datetime],
        write_batch_size: int = WRITE_BATCH_SIZE,
        fetch_concurrency: int = 1,
    ) -> None:
        self.connection = connection
        self.entity = entity
        self.spec: EntitySpec = entity_spec(entity)
        self.state = state
        self.run = run
        self.lock = lock
        self.client = client
        self.now = now
        self.write_batch_size = write_batch_size
        self.fetch_concurrency = fetch_concurrency
        self._pool: ThreadPoolExecutor | None = None
        self.calls = CallTally(connection_id=connection.pk)
        client.transport.on_call = self.calls.observe
        # The database is read from the run's own thread only; fetching threads see what it found.
        self._owner = threading.get_ident()
        self._pause_checked_at: float | None = None
        self._paused = False
        # The states of other entities this run's read serves too (shared_reads.py), and the lock that keeps
        # them from reading at once; set by the engine.
        self.followers: list[SyncState] = []
        self.group_lock: SyncLock | None = None

    @property
    def served_entities(self) -> tuple[str, ...]:
        """The run's own entity, then every entity its read serves."""
        return (self.entity, *(state.entity for state in self.followers))

    def followers_save(self, **values: Any) -> None:
        """Record on the states this run read for what it records on its own (a window, a key, a success)."""
        if self.followers:
            SyncState.objects.filter(pk__in=[state.pk for state in self.followers]).update(
                **values, updated_at=timezone.now()
            )

    # -- calling iCIMS ---------------------------------------------------------------------------
    def call(
        self,
        function: Callable[..., T],
        *args: Any,
        waits_for: tuple[type[IcimsError], ...] = CONNECTION_WIDE_WAITS,
        **kwargs: Any,
    ) -> T:
        """Call the client, unless the connection was paused (RunPaused). A wait for the whole connection
        (`waits_for`: a 429 pause, a spent budget, an open breaker) raises RunDeferred; anything else the
        transport could not fix in a few seconds is raised as it is, and fails the run."""
        self.stop_if_paused()
        self.heartbeat()  # a slow batch of GETs, or a long read, can outlast the locks' time-to-live
        try:
            return function(*args, **kwargs)
        except IcimsError as error:
            if not isinstance(error, waits_for):
                raise
            seconds = error.retry_after if error.retry_after and error.retry_after > 0 else DEFAULT_DEFER_SECONDS
            logger.warning(
                "Sync %s %s: %s; deferred for %.0fs", self.connection.customer_id, self.entity, error, seconds
            )
            raise RunDeferred(str(error), until=timezone.now() + timedelta(seconds=seconds)) from error

    def stop_if_paused(self) -> None:
        """Raise RunPaused once the connection is paused. Reads the database at most every PAUSE_CHECK_SECONDS,
        and only in the run's own thread (the fetching threads see the answer it got)."""
        if not self._paused and threading.get_ident() == self._owner:
            now = time.monotonic()
            if self._pause_checked_at is None or now - self._pause_checked_at >= PAUSE_CHECK_SECONDS:
                self._pause_checked_at = now
                self._paused = not Connection.objects.filter(pk=self.connection.pk, is_active=True).exists()
        if self._paused:
            raise RunPaused("The connection was paused while this run was in flight.")

    # -- fetching and writing --------------------------------------------------------------------
    def fetch_and_write(
        self,
        ids: Iterable[int],
        *,
        entities: Sequence[str] | None = None,
        after_batch: Callable[[int], None] | None = None,
    ) -> None:
        """GET each profile (only the mirror's fields), upsert them in bulk into each of `entities` (default: the
        run's own; candidates and users share one GET of a person), then call `after_batch(last id)`: the
        caller's cursor moves only once the batch is committed."""
        entities = tuple(entities or (self.entity,))
        spec = entity_spec(entities[0])
        ids = list(ids)
        for start in range(0, len(ids), self.write_batch_size):
            batch = ids[start : start + self.write_batch_size]
            fetched_at = self.now()
            profiles: list[tuple[int, dict]] = []
            gone: list[int] = []
            fetched, deferral = self._fetch_all(batch, spec=spec)
            for icims_id, profile in fetched:
                if profile is None:
                    gone.append(icims_id)
                elif profile is not ACCESS_DENIED:
                    profiles.append((icims_id, profile))
            self.write(profiles, entities=entities, fetched_at=fetched_at)
            if gone:
                for entity in entities:
                    self.run.deleted_count += self.mark_gone(gone, at=fetched_at, entity=entity)
            self.run.progress_done += len(fetched)
            if after_batch is not None and fetched:
                after_batch(fetched[-1][0])
            self.save_progress()
            if deferral is not None:
                raise deferral

    def write(self, profiles: list[tuple[int, dict]], *, entities: Sequence[str], fetched_at: datetime) -> None:
        """Upsert profiles already in hand (fetched, or carried by data stream events) into each entity's mirror."""
        for index, entity in enumerate(entities):
            counts = records_upsert(connection=self.connection, entity=entity, profiles=profiles, fetched_at=fetched_at)
            if index:  # the same profiles again, for another mirror: seen once
                counts.seen = 0
            self.add_counts(counts)

    def _fetch_one(self, icims_id: int, spec: EntitySpec) -> tuple[int, Any]:
        try:
            return icims_id, self.call(self.client.get_profile, spec.profile_type, icims_id, fields=spec.fields)
        except IcimsNotFound:
            return icims_id, None
        except IcimsAccessDenied:
            logger.warning(
                "Sync %s %s: iCIMS denies access to record %s; skipped",
                self.connection.customer_id,
                self.entity,
                icims_id,
            )
            return icims_id, ACCESS_DENIED

    def _fetch_all(self, batch: list[int], *, spec: EntitySpec) -> tuple[list[tuple[int, Any]], RunDeferred | None]:
        """The batch's profiles, in order, and the deferral that stopped the batch early, if one did.

        A wait for the whole connection (budget, 429, breaker) stops the batch; the profiles fetched before
        it, in the batch's order, are returned with it for the caller to commit: otherwise the GETs of a
        budget smaller than a batch would be thrown away each time and the walk would never move on. Any
        other failure, and a pause of the connection, is raised: the batch is not written.

        Several GETs in flight: iCIMS answers in tens to hundreds of milliseconds, so one at a time would
        make a 100,000-record backfill take hours. The shared budget and breaker pace them all the same."""
        if self.fetch_concurrency <= 1 or len(batch) <= 1:
            fetched: list[tuple[int, Any]] = []
            for icims_id in batch:
                try:
                    fetched.append(self._fetch_one(icims_id, spec))
                except RunDeferred as deferral:
                    return fetched, deferral
            return fetched, None
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.fetch_concurrency, thread_name_prefix="sync-fetch")
        futures = [self._pool.submit(self._fetch_one, icims_id, spec) for icims_id in batch]
        try:
            pending = set(futures)
            while pending:
                done, pending = futures_wait(pending, timeout=PAUSE_CHECK_SECONDS, return_when=FIRST_EXCEPTION)
                for future in done:
                    future.result()  # the first failure stops the batch
                self.stop_if_paused()  # a pause stops the GETs still queued, not only the next batch
            return [future.result() for future in futures], None
        except RunDeferred as deferral:
            for future in futures:
                future.cancel()
            futures_wait(futures)  # the GETs already in flight end (each is refused or answered at once)
            fetched = []
            for future in futures:
                if future.cancelled() or future.exception() is not None:
                    break
                fetched.append(future.result())
            return fetched, deferral
        except BaseException:
            for future in futures:
                future.cancel()
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def mark_gone(self, ids: list[int], *, at: datetime, entity: str | None = None) -> int:
        """Records iCIMS no longer has (404): deleted in the mirror."""
        return (
            entity_spec(entity or self.entity)
            .model.objects.filter(connection=self.connection, icims_id__in=ids)
            .exclude(scope_state=ScopeState.DELETED)
            .update(scope_state=ScopeState.DELETED, scope_changed_at=at)
        )

    def add_counts(self, counts: UpsertCounts) -> None:
        run = self.run
        run.seen_count += counts.seen
        run.created_count += counts.created
        run.updated_count += counts.updated
        run.unchanged_count += counts.unchanged + counts.stale
        run.left_scope_count += counts.left_scope
        run.deleted_count += counts.deleted

    def heartbeat(self) -> None:
        """Renew the run's lock, and the group lock of a shared read (engine), at most every third of their
        time-to-live: a long walk or read must not let another run take either while it goes on."""
        self.lock.heartbeat()
        if self.group_lock is not None:
            self.group_lock.heartbeat()

    def save_progress(self) -> None:
        self.heartbeat()
        self.calls.flush()
        self.run.calls_spent = self.calls.total
        self.run.heartbeat_at = timezone.now()
        self.run.save(update_fields=RUN_PROGRESS_FIELDS)
        logger.info(
            "Sync %s %s %s: %d done (%d created, %d updated, %d unchanged), %d calls",
            self.connection.customer_id,
            self.entity,
            self.run.mode,
            self.run.progress_done,
            self.run.created_count,
            self.run.updated_count,
            self.run.unchanged_count,
            self.calls.total,
        )

    def save_state(self, *fields: str) -> None:
        self.state.save(update_fields=[*fields, "updated_at"])
