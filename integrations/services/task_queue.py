"""Enqueue the integrations' Celery tasks by name: tasks import services, so services never import tasks."""

from __future__ import annotations

from celery import current_app

# The names the tasks in integrations/tasks.py are registered under (they declare them from here).
WEBHOOK_EVENT_PROCESS = "integrations.tasks.webhook_event_process"
# A slow tenant's event on the sync workers, with the full timeouts (routed to `sync` in settings).
WEBHOOK_EVENT_PROCESS_PATIENT = "integrations.tasks.webhook_event_process_patient"
WEBHOOK_EVENTS_PROCESS = "integrations.tasks.webhook_events_process"
WEBHOOK_EVENTS_SWEEP = "integrations.tasks.webhook_events_sweep"
WRITEBACK_SEND = "integrations.tasks.writeback_send"
WRITEBACK_SEND_PATIENT = "integrations.tasks.writeback_send_patient"  # a slow tenant's, on the sync workers
WRITEBACKS_DUE_SWEEP = "integrations.tasks.writebacks_due_sweep"
WORKER_HEARTBEAT = "integrations.tasks.worker_heartbeat"
ALERTS_CHECK = "integrations.tasks.alerts_check"
ALERT_NOTIFICATIONS_SEND = "integrations.tasks.alert_notifications_send"
STAGES_LINT_ALL = "integrations.tasks.stages_lint_all"
PLATFORM_WEBHOOK_DELIVER = "integrations.tasks.platform_webhook_deliver"
PLATFORM_WEBHOOKS_SWEEP = "integrations.tasks.platform_webhooks_sweep"
RECORDS_PRUNE = "integrations.tasks.records_prune"  # bulk deletes: on the sync workers


def task_enqueue(*, name: str, args: tuple, countdown: float | None = None) -> None:
    """Send the task through its registered object (the app registers its tasks at start, see apps.py), so
    settings such as `task_always_eager` hold as if the caller had imported the task. `countdown`: not
    before that many seconds (work waiting for its turn, see work_waits.py)."""
    # The reprs are what `delay` would compute with saferepr, given directly: ~10% of the enqueue's cost.
    current_app.tasks[name].apply_async(args, countdown=countdown, argsrepr=repr(args), kwargsrepr="{}")
