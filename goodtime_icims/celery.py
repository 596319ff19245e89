"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "goodtime_icims.settings")

app = Celery("goodtime_icims")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
