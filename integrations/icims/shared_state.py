"""State every worker of every machine shares: counters, flags, the token cache and locks.

Two backends behind one small interface. With Redis (production) each operation is one atomic
Redis round trip: `incr_and_get` and `write_many` bundle what one iCIMS call needs before and after
it (budget, pause and breaker), since a round trip per check made Redis most of a sync's CPU.
Without it (the embedded profile: one machine) a Django cache holds the values and an exclusive
file lock around each operation makes read-modify-write atomic across processes, since Django's
file cache has no atomic `add` or `incr`.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol


class SharedState(Protocol):
    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any, *, ttl: float) -> None: ...

    def add(self, key: str, value: Any, *, ttl: float) -> bool:
        """Set only when absent; True when this caller set it (usable as a lock)."""

    def incr(self, key: str, *, amount: int = 1, ttl: float) -> int:
        """Add `amount` (creating the key with `ttl` when absent) and return the new value."""

    def delete(self, key: str) -> None: ...

    def incr_and_get(self, key: str, *, amount: int = 1, ttl: float, read: Sequence[str]) -> tuple[int, list[Any]]:
        """`incr` one counter and read other keys, at once; returns the new count and the values read."""

    def write_many(self, *, sets: Mapping[str, tuple[Any, float]], deletes: Sequence[str] = ()) -> None:
        """Set each key to (value, ttl) and delete others, at once."""


def _ttl_ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class RedisSharedState:
    """Values are strings (Redis returns bytes, decoded here); callers serialise anything richer."""

    def __init__(self, client: Any, *, prefix: str = "icims:") -> None:
        self.client = client
        self.prefix = prefix

    def get(self, key: str) -> Any:
        value = self.client.get(self.prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    def set(self, key: str, value: Any, *, ttl: float) -> None:
        self.client.set(self.prefix + key, value, px=_ttl_ms(ttl))

    def add(self, key: str, value: Any, *, ttl: float) -> bool:
        return bool(self.client.set(self.prefix + key, value, px=_ttl_ms(ttl), nx=True))

    def incr(self, key: str, *, amount: int = 1, ttl: float) -> int:
        return self.incr_and_get(key, amount=amount, ttl=ttl, read=())[0]

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def incr_and_get(self, key: str, *, amount: int = 1, ttl: float, read: Sequence[str]) -> tuple[int, list[Any]]:
        pipe = self.client.pipeline()
        pipe.set(self.prefix + key, 0, px=_ttl_ms(ttl), nx=True)
        pipe.incrby(self.prefix + key, amount)
        if read:
            pipe.mget([self.prefix + name for name in read])
        results = pipe.execute()
        values = results[2] if read else []
        return int(results[1]), [value.decode() if isinstance(value, bytes) else value for value in values]

    def write_many(self, *, sets: Mapping[str, tuple[Any, float]], deletes: Sequence[str] = ()) -> None:
        pipe = self.client.pipeline()
        for key, (value, ttl) in sets.items():
            pipe.set(self.prefix + key, value, px=_ttl_ms(ttl))
        if deletes:
            pipe.delete(*[self.prefix + key for key in deletes])
        pipe.execute()


class LockedCacheSharedState:
    """A Django cache made atomic with an exclusive file lock (one machine only).

    Each value is stored with its own expiry time, because Django's file cache resets the timeout
    on `incr` and an hourly counter must keep its window.
    """

    def __init__(
        self, cache: Any, *, lock_path: Path, prefix: str = "icims:", clock: Callable[[], float] = time.time
    ) -> None:
        self.cache = cache
        self.lock_path = Path(lock_path)
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.clock = clock

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # flock is held per open file description, so it excludes other processes and other threads alike.
        with open(self.lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read(self, key: str) -> tuple[Any, float] | None:
        stored = self.cache.get(self.prefix + key)
        if stored is None or stored[1] <= self.clock():
            return None
        return stored

    def _write(self, key: str, value: Any, expires_at: float) -> None:
        self.cache.set(self.prefix + key, (value, expires_at), timeout=max(expires_at - self.clock(), 0.001))

    def get(self, key: str) -> Any:
        stored = self._read(key)
        return None if stored is None else stored[0]

    def set(self, key: str, value: Any, *, ttl: float) -> None:
        with self._locked():
            self._write(key, value, self.clock() + ttl)

    def add(self, key: str, value: Any, *, ttl: float) -> bool:
        with self._locked():
            if self._read(key) is not None:
                return False
            self._write(key, value, self.clock() + ttl)
            return True

    def incr(self, key: str, *, amount: int = 1, ttl: float) -> int:
        return self.incr_and_get(key, amount=amount, ttl=ttl, read=())[0]

    def delete(self, key: str) -> None:
        with self._locked():
            self.cache.delete(self.prefix + key)

    def incr_and_get(self, key: str, *, amount: int = 1, ttl: float, read: Sequence[str]) -> tuple[int, list[Any]]:
        with self._locked():
            stored = self._read(key)
            value, expires_at = (amount, self.clock() + ttl) if stored is None else (int(stored[0]) + amount, stored[1])
            self._write(key, value, expires_at)
            return value, [self.get(name) for name in read]

    def write_many(self, *, sets: Mapping[str, tuple[Any, float]], deletes: Sequence[str] = ()) -> None:
        with self._locked():
            for key, (value, ttl) in sets.items():
                self._write(key, value, self.clock() + ttl)
            for key in deletes:
                self.cache.delete(self.prefix + key)
