"""The bulk write path of the mirror: fetched iCIMS profiles in, a handful of SQL statements per 1,000 out.

Per batch: one SELECT reads what the mirror holds for the batch's ids; Python sorts every record into
new, changed, unchanged or stale; one `INSERT ... ON CONFLICT DO UPDATE` writes the new and changed
rows (`mirror_rows_upsert`); one UPDATE marks the unchanged ones as confirmed. An upsert cannot carry a
WHERE clause, so the "an older fetch never overwrites a newer row" guard is applied in Python on the rows just read; the
sync lock (one sync per connection and entity) keeps another writer from slipping in between.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations.models import Connection

from ..entities import entity_spec
from ..mapping import icims_id_value
from ..models import ScopeState
from ..scope import scope_rule
from .mirror_rows_upsert import mirror_rows_upsert

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
_BOOKKEEPING_FIELDS = ("raw", "content_hash", "synced_at", "seen_at", "scope_state", "scope_changed_at")


@dataclass
class UpsertCounts:
    """What a write did. `left_scope` and `deleted` count records that moved into that state by this write
    (they are also counted as `updated`). `ignored`: out of scope and never mirrored, so not written.
    `stale`: older than the row already held, so not written. `rejected`: no usable iCIMS id."""

    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    left_scope: int = 0
    deleted: int = 0
    ignored: int = 0
    rejected: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def content_hash(values: dict[str, Any]) -> str:
    """Fingerprint of a row's mirrored values: equal fingerprints, nothing to write. The mapping returns
    its keys in a fixed order and only str, int, bool, None, UTC datetimes and lists of dicts of str,
    whose repr is stable; repr is several times cheaper than a sorted JSON dump."""
    return hashlib.blake2b(repr(tuple(values.values())).encode(), digest_size=16).hexdigest()


def fetch_is_older(
    *, fetched_updated: datetime | None, fetched_at: datetime, row_updated: datetime | None, row_synced_at: datetime
) -> bool:
    """Whether a fetch is older than the row held. iCIMS's updateddate decides when both have one and they
    differ; at equal minutes (or when it is hidden) the row was confirmed later than the fetch was made."""
    if fetched_updated is not None and row_updated is not None and fetched_updated != row_updated:
        return fetched_updated < row_updated
    return fetched_at < row_synced_at


def records_upsert(
    *,
    connection: Connection,
    entity: str,
    profiles: Iterable[tuple[int | str, dict]],
    fetched_at: datetime,
    batch_size: int = BATCH_SIZE,
    keep_out_of_scope: bool = False,
) -> UpsertCounts:
    """Write fetched profiles `(icims id, profile JSON)` into the entity's mirror, in bulk.

    `fetched_at` is when the profiles were fetched (take it before the GETs begin, to be safe). New records
    out of scope are not mirrored; mirrored ones that move out of scope are kept and marked. Each batch
    commits as a whole (unless the caller holds a transaction), so once this returns the caller may
    advance its cursor; a batch that fails leaves nothing of itself behind, and writing it again is safe.

    `keep_out_of_scope` (people a scheduling request names): a new person outside the folders is mirrored
    anyway, marked *out of scope*. A row so marked keeps that mark while it stays outside the folders (it
    never was in scope, so it has not "left" it) and becomes in scope if it moves into one.
    """
    if timezone.is_naive(fetched_at):
        raise ValueError("fetched_at must be an aware datetime (UTC): comparing it with stored times needs a zone.")
    spec = entity_spec(entity)
    scope_of = scope_rule(connection=connection, entity=entity)
    char_limits = spec.char_limits
    counts = UpsertCounts()

    # The newest version of each record, mapped once. A page may hold one id twice (overlapping windows).
    latest: dict[int, tuple[dict[str, Any], dict]] = {}
    for raw_id, profile in profiles:
        counts.seen += 1
        icims_id = icims_id_value(raw_id, field="icims_id")
        if icims_id is None:
            counts.rejected += 1
            continue
        values = spec.values_from_profile(profile)
        for name, limit in char_limits.items():
            if len(values[name]) > limit:
                values[name] = values[name][:limit]
        if icims_id in latest:
            kept_updated = latest[icims_id][0]["updateddate"]
            if kept_updated is not None and (values["updateddate"] is None or values["updateddate"] < kept_updated):
                continue
        latest[icims_id] = (values, profile if isinstance(profile, dict) else {})

    ids = list(latest)
    for start in range(0, len(ids), batch_size):
        batch = {icims_id: latest[icims_id] for icims_id in ids[start : start + batch_size]}
        counts += _batch_write(
            connection=connection,
            spec=spec,
            scope_of=scope_of,
            batch=batch,
            fetched_at=fetched_at,
            keep_out_of_scope=keep_out_of_scope,
        )
    return counts


def _batch_write(*, connection, spec, scope_of, batch, fetched_at, keep_out_of_scope) -> UpsertCounts:
    model = spec.model
    counts = UpsertCounts()
    written_at = timezone.now()
    with transaction.atomic():
        held = {
            row[0]: row
            for row in model.objects.filter(connection=connection, icims_id__in=list(batch)).values_list(
                "icims_id", "pk", "updateddate", "synced_at", "content_hash", "scope_state", "scope_changed_at"
            )
        }
        to_write = []
        confirmed_pks = []
        stale_pks = []
        for icims_id, (values, profile) in batch.items():
            state = scope_of(values)
            digest = content_hash(values)
            row = held.get(icims_id)
            if state == ScopeState.LEFT_SCOPE and (
                (row is None and keep_out_of_scope) or (row is not None and row[5] == ScopeState.OUT_OF_SCOPE)
            ):
                state = ScopeState.OUT_OF_SCOPE
            if row is None:
                if state not in (ScopeState.IN_SCOPE, ScopeState.OUT_OF_SCOPE):
                    counts.ignored += 1
                    continue
                counts.created += 1
                scope_changed_at = fetched_at
            else:
                _, pk, row_updated, row_synced_at, row_hash, row_state, row_scope_changed_at = row
                if fetch_is_older(
                    fetched_updated=values["updateddate"],
                    fetched_at=fetched_at,
                    row_updated=row_updated,
                    row_synced_at=row_synced_at,
                ):
                    counts.stale += 1
                    stale_pks.append(pk)
                    continue
                if digest == row_hash and state == row_state:
                    counts.unchanged += 1
                    confirmed_pks.append(pk)
                    continue
                counts.updated += 1
                if state == row_state:
                    scope_changed_at = row_scope_changed_at
                else:
                    scope_changed_at = fetched_at
                    counts.left_scope += state == ScopeState.LEFT_SCOPE
                    counts.deleted += state == ScopeState.DELETED
            to_write.append(
                {
                    "connection_id": connection.pk,
                    "icims_id": icims_id,
                    **values,
                    "raw": profile,
                    "content_hash": digest,
                    "synced_at": fetched_at,
                    "seen_at": fetched_at,
                    "scope_state": state,
                    "scope_changed_at": scope_changed_at,
                    "created_at": written_at,
                }
            )
        mirror_rows_upsert(model=model, rows=to_write, update_fields=[*spec.value_fields, *_BOOKKEEPING_FIELDS])
        if confirmed_pks:
            model.objects.filter(pk__in=confirmed_pks, synced_at__lt=fetched_at).update(
                synced_at=fetched_at, seen_at=fetched_at
            )
        if stale_pks:  # seen in iCIMS, so not missing, even though this fetch's values are not kept
            model.objects.filter(pk__in=stale_pks, seen_at__lt=fetched_at).update(seen_at=fetched_at)
    return counts
