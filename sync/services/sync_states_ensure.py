"""A connection's sync bookkeeping rows: one SyncState per entity, due at once when new."""

from __future__ import annotations

from integrations.models import Connection

from ..models import Entity, SyncState


def sync_states_ensure(*, connection: Connection) -> None:
    """Create the missing states, due now (empty `next_run_at`): the dispatcher's next tick queues them."""
    SyncState.objects.bulk_create(
        [SyncState(connection=connection, entity=entity, next_run_at=None) for entity in Entity.values],
        ignore_conflicts=True,
    )
