"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery import Celery
from celery.signals import beat_init, before_task_publish, task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")

app = Celery("goodtime_icims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class BeatHeartbeat:
    """Beat leaves its heartbeat when it publishes a task (at least the worker heartbeats, each minute).

    Only the beat process marks itself as beat (`beat_init`); a web process publishing a task is not
    a sign that beat is alive. At most one write every 15 seconds however many tasks beat sends.
    """

    min_interval = 15.0

    def __init__(self) -> None:
        self.in_beat = False
        self.last_written = -self.min_interval

    def beat_started(self, **kwargs) -> None:
        self.in_beat = True

    def task_published(self, **kwargs) -> None:
        if not self.in_beat or time.monotonic() - self.last_written < self.min_interval:
            return
        from integrations.services.process_heartbeat_record import BEAT_HEARTBEAT, process_heartbeat_record

        process_heartbeat_record(name=BEAT_HEARTBEAT)
        self.last_written = time.monotonic()


beat_heartbeat = BeatHeartbeat()
beat_init.connect(beat_heartbeat.beat_started, weak=False)
before_task_publish.connect(beat_heartbeat.task_published, weak=False)


def database_connections_tidy(sender=None, **kwargs) -> None:
    """After each task, what Django does after each request: drop a connection that broke (a database restart)
    or outlived CONN_MAX_AGE, keep the others (CELERY_DB_REUSE_MAX keeps Celery from closing them all).
    A task run in the caller's process (eager: tests, the embedded profile's inline runs) leaves it alone."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


task_postrun.connect(database_connections_tidy, weak=False)
FILESYSTEM_BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def filesystem_broker_folders_ensure(sender: Celery, **kwargs) -> None:
    """The embedded profile's broker is a folder tree: make it when a process first uses Celery (worker,
    beat or a web process sending a task), since kombu writes into it without creating it."""
    if not str(sender.conf.broker_url or "").startswith("filesystem:"):
        return
    options = sender.conf.broker_transport_options or {}
    for name in FILESYSTEM_BROKER_FOLDERS:
        if options.get(name):
            Path(options[name]).mkdir(parents=True, exist_ok=True)


def _webhook_listener_register() -> None:
    from integrations.worker_steps import WebhookListenerStep

    app.steps["consumer"].add(WebhookListenerStep)


_webhook_listener_register()
