"""A Celery bootstep: every worker that consumes the urgent queue runs the webhook listener in a thread.

The listener (integrations/services/webhook_events_listen.py) finds new webhook events by itself and
queues them; running it inside the urgent worker means no extra process to run or supervise (the
Procfiles' `worker-urgent` lines already start it) and it lives exactly as long as something can
process what it queues. Several urgent workers each run one; they share the work (SKIP LOCKED).
Registered on the app in goodtime_icims/celery.py.
"""

from __future__ import annotations

import logging
import threading

from celery import bootsteps

logger = logging.getLogger(__name__)

URGENT_QUEUE = "urgent"  # goodtime_icims/settings/celery.py; settings are not loaded when this is imported


class WebhookListenerStep(bootsteps.StartStopStep):
    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, parent) -> None:
        consumed = parent.app.amqp.queues.consume_from or {}
        if consumed and URGENT_QUEUE not in consumed:
            return  # a sync-only worker leaves it to the urgent ones
        if self.thread is not None and self.thread.is_alive():
            return  # the consumer restarts after a broker outage; the listener went on meanwhile
        self.stopping.clear()
        self.thread = threading.Thread(target=self._run, name="webhook-listener", daemon=True)
        self.thread.start()

    def shutdown(self, parent) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def _run(self) -> None:
        from django.db import connection

        from integrations.services.webhook_events_listen import webhook_events_listen

        logger.info("Webhook listener started")
        try:
            handed_on = webhook_events_listen(should_stop=self.stopping.is_set)
        finally:
            connection.close()
        logger.info("Webhook listener stopped after queueing %s event(s)", handed_on)
