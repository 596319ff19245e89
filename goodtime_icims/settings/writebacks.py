"""The write-back outbox: changes we send to iCIMS (status advances, interviews, feedback requests)."""

from __future__ import annotations

from .environment import env

# A failed send is retried after these many minutes, one delay per retry; when they run out it is dead.
WRITEBACK_RETRY_DELAYS_MINUTES = tuple(env.list("WRITEBACK_RETRY_DELAYS_MINUTES", cast=int, default=[1, 5, 15, 30, 60]))
# How often the beat task looks for due write-backs and rescues ones a dead worker left "sending".
WRITEBACK_SWEEP_INTERVAL_SECONDS = env.int("WRITEBACK_SWEEP_INTERVAL_SECONDS", default=60)
# A write-back "sending" for longer than this lost its worker.
WRITEBACK_SENDING_LEASE_SECONDS = env.int("WRITEBACK_SENDING_LEASE_SECONDS", default=300)
WRITEBACK_SWEEP_BATCH_SIZE = env.int("WRITEBACK_SWEEP_BATCH_SIZE", default=500)
