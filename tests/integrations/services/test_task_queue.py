"""Services send tasks by name: each name is a registered task, and eager mode runs it in-process."""

from __future__ import annotations

import pytest
from celery import current_app

from integrations import tasks
from integrations.models import WebhookEvent
from integrations.services import task_queue


@pytest.mark.parametrize(
    ("name", "task"),
    [
        (task_queue.WEBHOOK_EVENT_PROCESS, tasks.webhook_event_process),
        (task_queue.WEBHOOK_EVENTS_SWEEP, tasks.webhook_events_sweep),
        (task_queue.WRITEBACK_SEND, tasks.writeback_send),
        (task_queue.WRITEBACKS_DUE_SWEEP, tasks.writebacks_due_sweep),
    ],
)
def test_each_name_is_the_registered_task(name, task):
    assert task.name == name
    assert name in current_app.tasks


def test_an_enqueued_task_runs_in_process_when_tasks_run_eagerly(connection, tasks_run_inline):
    event = WebhookEvent.objects.create(
        connection=connection,
        event_type="ApplicationCompletedEvent",
        customer_id=connection.customer_id,
        payload={},
        headers={},
        received_at=connection.created_at,
        state_changed_at=connection.created_at,
        dedupe_key="x",
    )

    task_queue.task_enqueue(name=task_queue.WEBHOOK_EVENT_PROCESS, args=(event.pk,))

    event.refresh_from_db()
    assert event.state == WebhookEvent.State.IGNORED
    assert event.attempts == 1
