"""The sync of the iCIMS mirror: how often each (connection, entity) runs and how the dispatcher enqueues them."""

from __future__ import annotations

from .environment import env

SYNC_FETCH_CONCURRENCY = env.int("SYNC_FETCH_CONCURRENCY", default=4)  # profile GETs in flight per sync run
# A (connection, entity) is due again this long after its last run ended.
SYNC_INTERVAL_SECONDS = env.int("SYNC_INTERVAL_SECONDS", default=300)
# A clean full walk (reconcile) is due this long after the last one finished.
SYNC_RECONCILE_INTERVAL_SECONDS = env.int("SYNC_RECONCILE_INTERVAL_SECONDS", default=7 * 24 * 3600)
# How often the dispatcher's beat entry ticks (each tick sends the sync workers claims for the runs due).
SYNC_DISPATCH_INTERVAL_SECONDS = env.int("SYNC_DISPATCH_INTERVAL_SECONDS", default=60)
# The claims of one tick reach the sync queue spread over this many seconds (in 5-second slices), not all at once.
SYNC_DISPATCH_JITTER_SECONDS = env.int("SYNC_DISPATCH_JITTER_SECONDS", default=55)
# At most this many claims sent per tick; the rest stay due for the next tick.
SYNC_DISPATCH_BATCH_SIZE = env.int("SYNC_DISPATCH_BATCH_SIZE", default=1000)
# A running run whose heartbeat is older than this lost its worker: closed as abandoned, resumed next tick.
# Longer than the sync lock's time-to-live (180 s), so the lock of such a run has already lapsed.
SYNC_ABANDON_AFTER_SECONDS = env.int("SYNC_ABANDON_AFTER_SECONDS", default=300)
# A queued run not started after this long lost its message (a broker restart): closed as abandoned.
SYNC_QUEUED_EXPIRE_SECONDS = env.int("SYNC_QUEUED_EXPIRE_SECONDS", default=3600)
