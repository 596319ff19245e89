"""Celery tasks: thin entry points that load ids and call one service."""

from __future__ import annotations

from celery import shared_task

from integrations.services.stages_lint import stages_lint_all as stages_lint_all_service
from integrations.services.webhook_event_process import webhook_event_process as webhook_event_process_service
from integrations.services.webhook_events_sweep import webhook_events_sweep as webhook_events_sweep_service
from integrations.services.writeback_send import writeback_send as writeback_send_service
from integrations.services.writebacks_due_sweep import writebacks_due_sweep as writebacks_due_sweep_service


@shared_task(name="integrations.tasks.webhook_event_process", acks_late=True, ignore_result=True)
def webhook_event_process(event_id: int) -> None:
    webhook_event_process_service(event_id=event_id)


@shared_task(name="integrations.tasks.webhook_events_sweep", acks_late=True, ignore_result=True)
def webhook_events_sweep() -> None:
    webhook_events_sweep_service()


@shared_task(name="integrations.tasks.writeback_send", acks_late=True, ignore_result=True)
def writeback_send(writeback_id: int) -> None:
    writeback_send_service(writeback_id=writeback_id)


@shared_task(name="integrations.tasks.writebacks_due_sweep", acks_late=True, ignore_result=True)
def writebacks_due_sweep() -> None:
    writebacks_due_sweep_service()


@shared_task(name="integrations.tasks.stages_lint_all", acks_late=True, ignore_result=True)
def stages_lint_all() -> None:
    stages_lint_all_service()
