"""One sync of a connection and entity at a time, across processes and machines.

The lock lives in the iCIMS shared state: Redis when REDIS_URL is set (every machine sees it), else the
cache guarded by a file lock (one machine). It expires after `ttl` seconds unless its holder's
heartbeat renews it, so a worker killed mid-run blocks the next one for at most one time-to-live.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from integrations.icims.shared_state import SharedState
from integrations.services.icims_clients import icims_shared_state

logger = logging.getLogger(__name__)

LOCK_TTL_SECONDS = 180.0


def sync_lock_key(*, connection_id: int, entity: str) -> str:
    return f"sync-lock:{connection_id}:{entity}"


class SyncLockLost(RuntimeError):
    """The lock expired (the heartbeat came too late) and another run may have taken it: stop writing."""


class SyncLock:
    def __init__(
        self,
        *,
        connection_id: int,
        entity: str,
        ttl: float | None = None,
        state: SharedState | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = sync_lock_key(connection_id=connection_id, entity=entity)
        self.ttl = LOCK_TTL_SECONDS if ttl is None else ttl
        self.state = state or icims_shared_state()
        self.token = uuid.uuid4().hex
        self.clock = clock
        self._renewed_at: float | None = None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; False when another run does."""
        if self.state.add(self.key, self.token, ttl=self.ttl):
            self._renewed_at = self.clock()
            return True
        return False

    def heartbeat(self, *, force: bool = False) -> None:
        """Renew the time-to-live (at most every third of it unless forced); raise SyncLockLost if it is gone."""
        if self._renewed_at is None:
            raise SyncLockLost(f"{self.key} is not held")
        if not force and self.clock() - self._renewed_at < self.ttl / 3:
            return
        holder = self.state.get(self.key)
        if holder is None and self.state.add(self.key, self.token, ttl=self.ttl):
            logger.warning("%s expired before its heartbeat (a slow batch); taken again", self.key)
        elif holder != self.token:
            raise SyncLockLost(f"{self.key} expired and was taken by another run")
        else:
            self.state.set(self.key, self.token, ttl=self.ttl)
        self._renewed_at = self.clock()

    def release(self) -> None:
        if self._renewed_at is not None and self.state.get(self.key) == self.token:
            self.state.delete(self.key)
        self._renewed_at = None
