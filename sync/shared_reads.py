"""One read serves every entity that can use it: the calls an incremental tick spends, counted once.

- Search mode: candidates and users are both people, so one people search (and one GET per changed
  person) serves both mirrors; jobs have their own search. An idle tick costs two searches.
- Data stream mode: one read of the stream carries job and person events alike, so one run reads it for
  every entity. An idle tick costs one call.

The first incremental run of a group in a tick reads for the whole group (the entities of the group that
are incremental too: one still walking in a backfill is not served) and stamps their states `served_at`;
a run of another member due within half a cadence after that has nothing left to read and is skipped,
saying which run served it. A group lock keeps two members from reading at once; the reading run renews
it with its own lock (RunContext.heartbeat), so a read longer than the lock's time-to-live keeps it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from integrations.models import Connection

from .models import Entity, SyncRun, SyncState

PEOPLE = (Entity.CANDIDATES, Entity.USERS)
INCREMENTAL_MODES = (SyncRun.Mode.INCREMENTAL_SEARCH, SyncRun.Mode.INCREMENTAL_STREAM)


def read_group(*, mode: str, entity: str) -> tuple[str, ...]:
    """The entities one incremental read of this mode serves, in the order they lead the read."""
    if mode == SyncRun.Mode.INCREMENTAL_STREAM:
        return tuple(Entity.values)
    if entity in PEOPLE:
        return PEOPLE
    return (Entity(entity).value,)


def group_lock_name(*, mode: str, entity: str) -> str:
    """The lock name a group's read holds (beside the entity locks, which name entities)."""
    return (
        "read-stream" if mode == SyncRun.Mode.INCREMENTAL_STREAM else f"read-{'people' if entity in PEOPLE else entity}"
    )


def group_states(*, connection: Connection, mode: str, entity: str) -> list[SyncState]:
    """The states one read of `entity` serves now: its own first, then every incremental member of its group."""
    members = read_group(mode=mode, entity=entity)
    states = {state.entity: state for state in SyncState.objects.filter(connection=connection, entity__in=members)}
    served = [states[entity]] if entity in states else []
    for member in members:
        state = states.get(member)
        if member != entity and state is not None and _is_incremental(state):
            served.append(state)
    return served


def served_recently(*, state: SyncState, now: datetime) -> bool:
    """Whether another member's read covered this entity so recently that a read of its own would find nothing new."""
    return state.served_at is not None and now - state.served_at < timedelta(seconds=settings.SYNC_INTERVAL_SECONDS / 2)


def _is_incremental(state: SyncState) -> bool:
    return state.last_full_run_at is not None and state.backfill_checkpoint is None
