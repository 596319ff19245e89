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

    def lease_acquire(self, key: str, *, holder: str, cap: int, ttl: float, unless: str) -> str:
        """A counting semaphore of leases (each lapses after `ttl`, so a killed holder frees its place), at
        once: LEASE_HELD when `holder` got one of the `cap` places, LEASE_FULL when all are held,
        LEASE_REFUSED (nothing taken) while the key `unless` exists."""

    def lease_release(self, key: str, *, holder: str) -> None: ...

    def top_up(self, key: str, *, target: int, ttl: float) -> int:
        """Raise a counter to `target` if it is below (a missing or negative one counts as 0), at once;
        returns how much it went up. A raise renews the `ttl`; a counter left where it was lapses by it."""


LEASE_HELD, LEASE_FULL, LEASE_REFUSED = "held", "full", "refused"

# KEYS: the leases (a sorted set of holder -> expiry, ms), the refusing flag. ARGV: now, ttl (ms), holder, cap.
_LEASE_ACQUIRE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 1 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 0
"""
_LEASE_OUTCOMES = {0: LEASE_HELD, 1: LEASE_FULL, 2: LEASE_REFUSED}
# KEYS: the counter. ARGV: target, ttl (ms).
_TOP_UP = """
local current = math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0'))
local target = tonumber(ARGV[1])
if current >= target then return 0 end
redis.call('SET', KEYS[1], target, 'PX', tonumber(ARGV[2]))
return target - current
"""


def _ttl_ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class RedisSharedState:
    """Values are strings (Redis returns bytes, decoded here); callers serialise anything richer."""

    def __init__(self, client: Any, *, prefix: str = "icims:") -> None:
        self.client = client
        self.prefix = prefix
        self._lease_acquire = client.register_script(_LEASE_ACQUIRE)
        self._top_up = client.register_script(_TOP_UP)

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

    def lease_acquire(self, key: str, *, holder: str, cap: int, ttl: float, unless: str) -> str:
        # One round trip (EVALSHA): the Redis clock would do, but the callers' clock keeps tests simple.
        outcome = self._lease_acquire(
            keys=[self.prefix + key, self.prefix + unless], args=[int(time.time() * 1000), _ttl_ms(ttl), holder, cap]
        )
        return _LEASE_OUTCOMES[int(outcome)]

    def lease_release(self, key: str, *, holder: str) -> None:
        self.client.zrem(self.prefix + key, holder)

    def top_up(self, key: str, *, target: int, ttl: float) -> int:
        return int(self._top_up(keys=[self.prefix + key], args=[target, _ttl_ms(ttl)]))


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

    def lease_acquire(self, key: str, *, holder: str, cap: int, ttl: float, unless: str) -> str:
        with self._locked():
            if self._read(unless) is not None:
                return LEASE_REFUSED
            now = self.clock()
            leases = {name: until for name, until in (self.get(key) or {}).items() if until > now}
            if len(leases) >= cap:
                return LEASE_FULL
            leases[holder] = now + ttl
            self._write(key, leases, max(leases.values()))
            return LEASE_HELD

    def top_up(self, key: str, *, target: int, ttl: float) -> int:
        with self._locked():
            stored = self._read(key)
            current = max(0, int(stored[0])) if stored is not None else 0
            if current >= target:
                return 0
            self._write(key, target, self.clock() + ttl)
            return target - current

    def lease_release(self, key: str, *, holder: str) -> None:
        with self._locked():
            stored = self._read(key)
            if stored is not None and holder in stored[0]:
                leases = {name: until for name, until in stored[0].items() if name != holder}
                self._write(key, leases, stored[1])
