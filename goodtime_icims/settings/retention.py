"""Retention (integrations/services/records_prune.py): how long finished records are kept."""

from .environment import env

# Webhook events that are done, finished sync runs (each connection and entity keeps its latest success),
# and platform webhook deliveries that were delivered or gave up are deleted this many days after they
# ended. 0 keeps everything.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=30)
# Rows deleted per statement: each batch is its own short transaction.
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=2000)
# How often the beat entry "Prune old records" runs (hourly: each run deletes about an hour's worth).
RETENTION_INTERVAL_SECONDS = env.int("RETENTION_INTERVAL_SECONDS", default=3600)
