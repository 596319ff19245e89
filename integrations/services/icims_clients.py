"""Build iCIMS clients for a Connection: the one place that turns a model into client config."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import lru_cache

import redis
import requests
from django.conf import settings
from django.core.cache import caches

from integrations.encryption import CachedTokenCipher
from integrations.icims.auth import authenticator_for
from integrations.icims.budget import CallBudget, Purpose
from integrations.icims.circuit_breaker import CircuitBreaker
from integrations.icims.client import IcimsClient
from integrations.icims.config import AuthMode, IcimsConfig
from integrations.icims.destinations import HostAllowList
from integrations.icims.interviews import IcimsInterviews
from integrations.icims.shared_state import LockedCacheSharedState, RedisSharedState, SharedState
from integrations.icims.transport import IcimsTransport
from integrations.models import Connection

from .api_usage import api_call_recorder


@lru_cache(maxsize=4)
def _redis_state(url: str, prefix: str) -> RedisSharedState:
    return RedisSharedState(redis.Redis.from_url(url), prefix=prefix)


def icims_shared_state() -> SharedState:
    """Redis when configured (shared by every machine), else the cache with a file lock (one machine)."""
    if settings.REDIS_URL:
        return _redis_state(settings.REDIS_URL, settings.ICIMS_SHARED_STATE_PREFIX)
    return LockedCacheSharedState(caches["default"], lock_path=settings.VAR_DIR / "icims-shared-state.lock")


def token_fingerprint_key() -> bytes:
    """The key of the secret fingerprints in token cache keys: the same on every process, never stored."""
    return hashlib.sha256(b"icims-token-cache|" + settings.SECRET_KEY.encode()).digest()


def icims_allowed_hosts() -> HostAllowList:
    """The allow-list of hosts a secret may be sent to, from ICIMS_ALLOWED_HOSTS."""
    return HostAllowList(settings.ICIMS_ALLOWED_HOSTS)


def icims_config_for(
    *, connection: Connection, writeback: bool = False, timeouts: tuple[float, float] | None = None
) -> IcimsConfig:
    """`timeouts`: (connect, read) for a caller someone waits on (the urgent lane); else the settings'."""
    client_id, client_secret = connection.writeback_credentials() if writeback else connection.data_credentials()
    stream_id, subscription_id = connection.resolved_data_stream or ("", "")
    return IcimsConfig(
        customer_id=connection.customer_id,
        api_url=connection.api_url,
        token_url=connection.token_url,
        audience=connection.audience,
        stream_url=connection.stream_url,
        auth_mode=AuthMode.OAUTH,
        client_id=client_id,
        client_secret=client_secret,
        stream_id=stream_id,
        subscription_id=subscription_id,
        connect_timeout=timeouts[0] if timeouts else settings.ICIMS_CONNECT_TIMEOUT,
        read_timeout=timeouts[1] if timeouts else settings.ICIMS_READ_TIMEOUT,
    )


def icims_call_budget(
    *, connection: Connection, state: SharedState | None = None, clock: Callable[[], float] = time.time
) -> CallBudget:
    return CallBudget(
        state=state or icims_shared_state(),
        name=connection.customer_id,
        hourly_budget=connection.hourly_call_budget,
        clock=clock,
    )


def icims_circuit_breaker(
    *, connection: Connection, state: SharedState | None = None, clock: Callable[[], float] = time.time
) -> CircuitBreaker:
    return CircuitBreaker(
        state=state or icims_shared_state(),
        name=connection.customer_id,
        threshold=settings.ICIMS_BREAKER_THRESHOLD,
        cooldown=settings.ICIMS_BREAKER_COOLDOWN,
        clock=clock,
    )


def icims_transport_for(
    *,
    connection: Connection,
    purpose: Purpose,
    writeback: bool = False,
    session: requests.Session | None = None,
    max_attempts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    timeouts: tuple[float, float] | None = None,
) -> tuple[IcimsConfig, IcimsTransport]:
    """`sleep` and `clock` go together: a caller that fakes one (tests) fakes both, so pauses pass without waiting.

    With short `timeouts` (the urgent lane) a timed-out call does not count towards the breaker: the caller
    hands the work to the patient path (urgent_lane.py), whose full-timeout calls count as usual."""
    config = icims_config_for(connection=connection, writeback=writeback, timeouts=timeouts)
    state = icims_shared_state()
    session = session or requests.Session()
    auth = authenticator_for(
        config,
        state=state,
        session=session,
        sleep=sleep,
        cipher=CachedTokenCipher(),
        fingerprint_key=token_fingerprint_key(),
    )
    transport = IcimsTransport(
        session=session,
        auth=auth,
        purpose=purpose,
        budget=icims_call_budget(connection=connection, state=state, clock=clock),
        breaker=icims_circuit_breaker(connection=connection, state=state, clock=clock),
        on_call=api_call_recorder(connection=connection),
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        max_attempts=max_attempts or settings.ICIMS_MAX_ATTEMPTS,
        sleep=sleep,
        clock=clock,
        destinations=icims_allowed_hosts(),
        timeout_failures=0 if timeouts else settings.ICIMS_BREAKER_TIMEOUT_FAILURES,
    )
    return config, transport


def icims_client_for(
    *,
    connection: Connection,
    purpose: Purpose,
    session: requests.Session | None = None,
    max_attempts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    timeouts: tuple[float, float] | None = None,
) -> IcimsClient:
    """The client for list, profile, search and data stream calls (the data credentials)."""
    config, transport = icims_transport_for(
        connection=connection,
        purpose=purpose,
        session=session,
        max_attempts=max_attempts,
        sleep=sleep,
        clock=clock,
        timeouts=timeouts,
    )
    return IcimsClient(config=config, transport=transport)


def icims_interviews_for(
    *,
    connection: Connection,
    purpose: Purpose = Purpose.WRITEBACK,
    session: requests.Session | None = None,
    max_attempts: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> IcimsInterviews:
    """The adapter for interview and feedback calls (the write-back credentials)."""
    config, transport = icims_transport_for(
        connection=connection, purpose=purpose, writeback=True, session=session, max_attempts=max_attempts, sleep=sleep
    )
    return IcimsInterviews(config=config, transport=transport)
