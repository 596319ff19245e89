"""The listener: finds new webhook events by itself and hands them to the urgent queue, in batches.

On PostgreSQL it LISTENs on the channel the request's INSERT notifies (webhook_event_insert.py) and
wakes the moment an event commits; it also looks every WEBHOOK_LISTEN_POLL_SECONDS x 4 in case a
notification was lost with a dropped connection. On SQLite (the embedded profile) there is no
LISTEN: it looks every WEBHOOK_LISTEN_POLL_SECONDS. Each wake drains everything new, a batch of
WEBHOOK_LISTEN_BATCH_SIZE per query, so under load one query hands on many events; after a wake that
found some it waits WEBHOOK_LISTEN_GATHER_SECONDS before the next, so that under load events travel in
batches (one message and one claim for many) rather than one by one as their notifications come.

The sweeper (webhook_events_sweep.py) stays the safety net for whatever this misses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection as db_connection

from .webhook_event_insert import NEW_EVENTS_CHANNEL
from .webhook_events_queue_new import webhook_events_queue_new

logger = logging.getLogger(__name__)

# A quiet PostgreSQL listener still looks this many poll intervals apart (2 s by default).
POSTGRES_POLL_FACTOR = 4


def webhook_events_listen(*, should_stop: Callable[[], bool]) -> int:
    """Run until should_stop() says so; the number of events handed on."""
    handed_on = 0
    while not should_stop():
        try:
            handed_on += _listen_until_stopped(should_stop=should_stop)
        except Exception:  # the database or the broker went away: try again shortly, never die
            logger.warning("Webhook listener interrupted; starting again in 1 s", exc_info=True)
            db_connection.close()
            time.sleep(1)
    return handed_on


def _listen_until_stopped(*, should_stop: Callable[[], bool]) -> int:
    listening = db_connection.vendor == "postgresql"
    poll = settings.WEBHOOK_LISTEN_POLL_SECONDS
    if listening:
        db_connection.ensure_connection()
        # Django runs in autocommit, so LISTEN takes effect at once; then drain what came before it.
        with db_connection.cursor() as cursor:
            cursor.execute(f"LISTEN {NEW_EVENTS_CHANNEL}")
        logger.info("Webhook listener: listening on %s", NEW_EVENTS_CHANNEL)
    gather = settings.WEBHOOK_LISTEN_GATHER_SECONDS
    handed_on = 0
    while not should_stop():
        found = _drain()
        handed_on += found
        if found and gather > 0:
            time.sleep(gather)
        if listening:
            _wait_for_notification(timeout=poll * POSTGRES_POLL_FACTOR)
        else:
            time.sleep(poll)
    return handed_on


def _drain() -> int:
    limit = settings.WEBHOOK_LISTEN_BATCH_SIZE
    handed_on = 0
    while True:
        event_ids = webhook_events_queue_new(limit=limit)
        handed_on += len(event_ids)
        if event_ids:
            logger.debug(
                "Webhook listener: %s new event(s) queued (%s to %s)", len(event_ids), event_ids[0], event_ids[-1]
            )
        if len(event_ids) < limit:
            return handed_on


def _wait_for_notification(*, timeout: float) -> None:
    """Until one notification comes (or the timeout), then swallow those already waiting: one drain serves all."""
    raw = db_connection.connection
    for _ in raw.notifies(timeout=timeout, stop_after=1):
        pass
    for _ in raw.notifies(timeout=0):
        pass
