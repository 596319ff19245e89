"""Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport (no server).

Two queues by urgency, each served by its own worker process (Procfile): `urgent` for what a person
is waiting on (webhook events, write-backs, their sweeps), `sync` for keeping the mirror fresh. A
sync never sits in front of a recruiter's event.
"""

from __future__ import annotations

from kombu import Queue

from .base import REDIS_URL, VAR_DIR
from .environment import env

URGENT_QUEUE = "urgent"
SYNC_QUEUE = "sync"

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # The visibility timeout must outlast the longest task (SYNC_TASK_TIME_LIMIT) and any countdown we
    # schedule (WAIT_COUNTDOWN_MAX_SECONDS), or Redis hands the message to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
        "retry_on_timeout": True,
        "health_check_interval": 25,
    }
else:
    # The folders are made when the Celery app is first configured in a process (goodtime_icims/celery.py),
    # not here: importing settings writes nothing. The control folder says which queue each exchange
    # routes to, for every process.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
# Celery's Django fixup closes the database connection before and after every task unless this is set: a
# new PostgreSQL connection (a backend forked, authenticated) per task, more than a webhook batch's own
# work. With it, a worker's connection lives as a web process's does: closed after a task when it broke
# or is older than CONN_MAX_AGE (goodtime_icims/celery.py), and in any case every this many tasks.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"

# Queues by urgency. Anything not routed below lands on `urgent`, which a worker always consumes.
CELERY_TASK_QUEUES = (Queue(URGENT_QUEUE), Queue(SYNC_QUEUE))
CELERY_TASK_DEFAULT_QUEUE = URGENT_QUEUE
CELERY_TASK_ROUTES = {
    # A slow tenant's webhook events and write-backs, handed over by the urgent lane: off the urgent slots.
    "integrations.tasks.webhook_event_process_patient": {"queue": SYNC_QUEUE},
    "integrations.tasks.writeback_send_patient": {"queue": SYNC_QUEUE},
    # Retention's bulk deletes are long and on no one's clock.
    "integrations.tasks.records_prune": {"queue": SYNC_QUEUE},
    "integrations.tasks.*": {"queue": URGENT_QUEUE},
    # The dispatcher's tick and its publishing are short and on a clock: never behind a sync run.
    "sync.tasks.sync_dispatch": {"queue": URGENT_QUEUE},
    "sync.tasks.sync_claims_release": {"queue": URGENT_QUEUE},
    "sync.tasks.*": {"queue": SYNC_QUEUE},
}

# Time limits per task family (seconds): soft raises inside the task so it can record why it stopped,
# hard kills the process. Urgent work makes a few iCIMS calls, each bounded by the connect and read
# timeouts; a sync run stops at its soft limit as deferred and the next one resumes from its checkpoint.
URGENT_TASK_SOFT_TIME_LIMIT = env.int("URGENT_TASK_SOFT_TIME_LIMIT", default=120)
URGENT_TASK_TIME_LIMIT = env.int("URGENT_TASK_TIME_LIMIT", default=150)
SYNC_TASK_SOFT_TIME_LIMIT = env.int("SYNC_TASK_SOFT_TIME_LIMIT", default=25 * 60)
SYNC_TASK_TIME_LIMIT = env.int("SYNC_TASK_TIME_LIMIT", default=30 * 60)
# A wait (a pause iCIMS asked for, a spent budget, an open breaker) up to this long is scheduled as a
# countdown in the broker; a longer one is left to the sweepers, which re-enqueue the row when it is due.
WAIT_COUNTDOWN_MAX_SECONDS = env.int("WAIT_COUNTDOWN_MAX_SECONDS", default=600)
# The urgent lane (integrations/services/urgent_lane.py): at most this many urgent tasks of one tenant at
# once (a lease in the shared state; over the cap the work is re-queued after URGENT_TENANT_BUSY_RETRY_SECONDS,
# never slept on), and for URGENT_SLOW_TENANT_SECONDS after an urgent call of a tenant timed out, its
# events go straight to the sync workers (the patient path) without trying the urgent one.
URGENT_TENANT_CONCURRENCY = env.int("URGENT_TENANT_CONCURRENCY", default=2)
URGENT_TENANT_BUSY_RETRY_SECONDS = env.float("URGENT_TENANT_BUSY_RETRY_SECONDS", default=1.0)
URGENT_SLOW_TENANT_SECONDS = env.int("URGENT_SLOW_TENANT_SECONDS", default=300)

# Workers outlive a broker restart: they reconnect for as long as it takes (a supervisor restarts
# them for what a process cannot survive; see the README).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when Redis drops finishes its work; its restored message comes back, and the row's
# conditional claim makes that second delivery a no-op.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Every other task (alerts, housekeeping) gets the urgent family's limits unless it declares its own.
CELERY_TASK_SOFT_TIME_LIMIT = URGENT_TASK_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = URGENT_TASK_TIME_LIMIT
