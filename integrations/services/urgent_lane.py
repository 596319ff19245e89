"""The urgent lane: a sick tenant never occupies the urgent workers (webhook events, where a recruiter waits).

Three rules keep one tenant's trouble away from every other tenant's events:
- urgent iCIMS calls get short timeouts (ICIMS_URGENT_CONNECT_TIMEOUT / ICIMS_URGENT_READ_TIMEOUT), so a
  host that hangs or answers in 10 s costs an urgent slot at most one short timeout;
- a call that times out marks the tenant slow for URGENT_SLOW_TENANT_SECONDS and hands the work to the
  sync workers, which give iCIMS the full timeouts (the patient path): the work is not failed and keeps
  its attempts, and while the mark lasts the tenant's next events go there at once, without a call;
- at most URGENT_TENANT_CONCURRENCY urgent tasks of one tenant run at once (a lease in the shared state,
  one round trip, lapsing on its own if the worker dies); over the cap the work is re-queued after
  URGENT_TENANT_BUSY_RETRY_SECONDS instead of waiting in a slot.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings

from integrations.icims.shared_state import LEASE_FULL, LEASE_HELD, LEASE_REFUSED
from integrations.models import Connection

from .icims_clients import icims_shared_state

logger = logging.getLogger(__name__)

BUSY_REASON = "Other urgent work of this connection is running; it goes on in a moment."
SLOW_REASON = (
    "iCIMS did not answer this connection within the urgent timeout; processed by the sync workers with the "
    "full timeouts."
)


class UrgentLaneBusy(Exception):
    """The tenant already has its share of the urgent workers: re-queue shortly, no attempt spent."""


class TenantSlow(Exception):
    """The tenant's iCIMS is slow or unreachable: hand the work to the patient path, no attempt spent."""


@dataclass(frozen=True)
class Timeouts:
    connect: float
    read: float


def urgent_timeouts() -> Timeouts:
    return Timeouts(connect=settings.ICIMS_URGENT_CONNECT_TIMEOUT, read=settings.ICIMS_URGENT_READ_TIMEOUT)


def _leases_key(connection: Connection) -> str:
    return f"urgent:{connection.customer_id}:leases"


def _slow_key(connection: Connection) -> str:
    return f"urgent:{connection.customer_id}:slow"


@contextmanager
def urgent_lane(*, connection: Connection) -> Iterator[None]:
    """Hold one of the tenant's urgent places for the block; raise UrgentLaneBusy or TenantSlow instead."""
    state = icims_shared_state()
    holder = uuid.uuid4().hex
    leases = _leases_key(connection)
    outcome = state.lease_acquire(
        leases,
        holder=holder,
        cap=settings.URGENT_TENANT_CONCURRENCY,
        ttl=settings.URGENT_TASK_TIME_LIMIT,  # a killed worker's place comes back when its task could not run on
        unless=_slow_key(connection),
    )
    if outcome == LEASE_REFUSED:
        raise TenantSlow(SLOW_REASON)
    if outcome == LEASE_FULL:
        raise UrgentLaneBusy(BUSY_REASON)
    assert outcome == LEASE_HELD
    try:
        yield
    finally:
        try:
            state.lease_release(leases, holder=holder)
        except Exception:  # the shared state is gone (Redis restarting): the lease lapses by itself
            logger.warning("Could not give back an urgent lease of %s; it lapses by itself", connection.customer_id)


def tenant_mark_slow(*, connection: Connection) -> None:
    """An urgent call of this tenant timed out: its urgent work goes to the patient path for a while. Best
    effort: without the mark the next event only tries the short timeout again."""
    try:
        icims_shared_state().set(_slow_key(connection), "1", ttl=settings.URGENT_SLOW_TENANT_SECONDS)
    except Exception:
        logger.warning("Could not mark %s slow for the urgent lane", connection.customer_id)


def tenant_is_slow(*, connection: Connection) -> bool:
    return icims_shared_state().get(_slow_key(connection)) is not None
