"""Celery tasks: thin entry points that load ids and call one service. All run on the `urgent` queue but
the patient path of a slow tenant's webhook events and write-backs, and retention's bulk deletes, which
run on the `sync` workers."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from integrations.models import AlertNotification
from integrations.services.alert_notifications_send import alert_notifications_send as alert_notifications_send_service
from integrations.services.alerts_evaluate import alerts_evaluate
from integrations.services.platform_webhook_deliver import platform_webhook_deliver as platform_webhook_deliver_service
from integrations.services.platform_webhooks_sweep import platform_webhooks_sweep as platform_webhooks_sweep_service
from integrations.services.process_heartbeat_record import process_heartbeat_record, worker_heartbeat_name
from integrations.services.records_prune import records_prune as records_prune_service
from integrations.services.stages_lint import stages_lint_all as stages_lint_all_service
from integrations.services.task_queue import (
    ALERT_NOTIFICATIONS_SEND,
    ALERTS_CHECK,
    PLATFORM_WEBHOOK_DELIVER,
    PLATFORM_WEBHOOKS_SWEEP,
    RECORDS_PRUNE,
    STAGES_LINT_ALL,
    WEBHOOK_EVENT_PROCESS,
    WEBHOOK_EVENT_PROCESS_PATIENT,
    WEBHOOK_EVENTS_PROCESS,
    WEBHOOK_EVENTS_SWEEP,
    WORKER_HEARTBEAT,
    WRITEBACK_SEND,
    WRITEBACK_SEND_PATIENT,
    WRITEBACKS_DUE_SWEEP,
)
from integrations.services.webhook_event_process import webhook_event_process as webhook_event_process_service
from integrations.services.webhook_event_process import webhook_events_process as webhook_events_process_service
from integrations.services.webhook_events_sweep import webhook_events_sweep as webhook_events_sweep_service
from integrations.services.writeback_send import writeback_send as writeback_send_service
from integrations.services.writebacks_due_sweep import writebacks_due_sweep as writebacks_due_sweep_service

URGENT_TIME_LIMITS = {
    "soft_time_limit": settings.URGENT_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.URGENT_TASK_TIME_LIMIT,
}
URGENT_TASK_OPTIONS = {"acks_late": True, "ignore_result": True, **URGENT_TIME_LIMITS}


@shared_task(name=WEBHOOK_EVENT_PROCESS, **URGENT_TASK_OPTIONS)
def webhook_event_process(event_id: int) -> None:
    webhook_event_process_service(event_id=event_id)


@shared_task(name=WEBHOOK_EVENT_PROCESS_PATIENT, **URGENT_TASK_OPTIONS)
def webhook_event_process_patient(event_id: int) -> None:
    """A slow or unreachable tenant's event, handed over by the urgent lane: the full iCIMS timeouts."""
    webhook_event_process_service(event_id=event_id, patient=True)


@shared_task(name=WEBHOOK_EVENTS_PROCESS, **URGENT_TASK_OPTIONS)
def webhook_events_process(event_ids: list[int]) -> None:
    """A batch of one connection's new events, as the listener found them."""
    webhook_events_process_service(event_ids=event_ids)


@shared_task(name=WEBHOOK_EVENTS_SWEEP, **URGENT_TASK_OPTIONS)
def webhook_events_sweep() -> None:
    webhook_events_sweep_service()


@shared_task(name=WRITEBACK_SEND, **URGENT_TASK_OPTIONS)
def writeback_send(writeback_id: int) -> None:
    writeback_send_service(writeback_id=writeback_id)


@shared_task(name=WRITEBACK_SEND_PATIENT, **URGENT_TASK_OPTIONS)
def writeback_send_patient(writeback_id: int) -> None:
    """A slow or unreachable tenant's write-back, handed over by the urgent lane."""
    writeback_send_service(writeback_id=writeback_id, patient=True)


@shared_task(name=WRITEBACKS_DUE_SWEEP, **URGENT_TASK_OPTIONS)
def writebacks_due_sweep() -> None:
    writebacks_due_sweep_service()


@shared_task(name=WORKER_HEARTBEAT, ignore_result=True)
def worker_heartbeat(queue: str) -> None:
    process_heartbeat_record(name=worker_heartbeat_name(queue))


@shared_task(name=STAGES_LINT_ALL, **URGENT_TASK_OPTIONS)
def stages_lint_all() -> None:
    stages_lint_all_service()


@shared_task(name=ALERTS_CHECK, ignore_result=True, **URGENT_TIME_LIMITS)
def alerts_check() -> None:
    """The beat tick: evaluate now, then deliver on another task so a slow mail server never delays the next tick."""
    alerts_evaluate()
    if AlertNotification.objects.filter(state=AlertNotification.State.PENDING).exists():
        alert_notifications_send.delay()


@shared_task(name=ALERT_NOTIFICATIONS_SEND, **URGENT_TASK_OPTIONS)
def alert_notifications_send() -> None:
    alert_notifications_send_service()


@shared_task(name=PLATFORM_WEBHOOK_DELIVER, **URGENT_TASK_OPTIONS)
def platform_webhook_deliver(delivery_id: int, replay: bool = False) -> None:
    platform_webhook_deliver_service(delivery_id=delivery_id, replay=replay)


@shared_task(name=PLATFORM_WEBHOOKS_SWEEP, **URGENT_TASK_OPTIONS)
def platform_webhooks_sweep() -> None:
    platform_webhooks_sweep_service()


@shared_task(
    name=RECORDS_PRUNE,
    ignore_result=True,
    soft_time_limit=settings.SYNC_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.SYNC_TASK_TIME_LIMIT,
)
def records_prune() -> None:
    """Retention (hourly): delete finished records older than RETENTION_DAYS, in batches."""
    records_prune_service()
