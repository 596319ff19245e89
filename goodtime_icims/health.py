"""Readiness (/health/): the database, the cache, the broker, a worker on every queue, beat, and no webhook
event left waiting. A failing check answers 503 and is named; no URL, host or secret is ever shown.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView
from kombu import Connection as BrokerConnection

from integrations.selectors.process_health import heartbeat_ages, oldest_unprocessed_webhook_wait
from integrations.services.process_heartbeat_record import BEAT_HEARTBEAT, heartbeat_queues, worker_heartbeat_name


def _ago(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    return f"{seconds} s" if seconds < 120 else f"{seconds // 60} min"


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (Redis, or the filesystem transport)."""

    def run(self) -> None:
        timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
        try:
            with BrokerConnection(
                settings.CELERY_BROKER_URL,
                transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
                connect_timeout=timeout,
            ) as broker:
                broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        except Exception as exc:  # which exception depends on the transport; its text may hold the URL
            raise ServiceUnavailable(f"broker unreachable ({type(exc).__name__})") from exc


class DatabaseReadingCheck(HealthCheck):
    """A check reading our tables runs in the request's thread, on the request's database connection
    (django-health-check runs plain checks in a thread pool, each opening a connection of its own)."""

    async def run(self) -> None:
        await sync_to_async(self.probe)()

    def probe(self) -> None:
        raise NotImplementedError


@dataclasses.dataclass
class WorkerHeartbeat(DatabaseReadingCheck):
    """A worker took the heartbeat task from every queue lately."""

    def probe(self) -> None:
        names = {worker_heartbeat_name(queue): queue for queue in heartbeat_queues()}
        max_age = timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS)
        for name, age in heartbeat_ages(names=list(names)).items():
            if age is None:
                raise ServiceUnavailable(f"no worker heartbeat yet from queue {names[name]}")
            if age > max_age:
                raise ServiceUnavailable(f"last worker heartbeat from queue {names[name]} was {_ago(age)} ago")


@dataclasses.dataclass
class BeatHeartbeat(DatabaseReadingCheck):
    """The beat scheduler published its tasks lately."""

    def probe(self) -> None:
        age = heartbeat_ages(names=[BEAT_HEARTBEAT])[BEAT_HEARTBEAT]
        if age is None:
            raise ServiceUnavailable("no beat heartbeat yet")
        if age > timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS):
            raise ServiceUnavailable(f"last beat heartbeat was {_ago(age)} ago")


@dataclasses.dataclass
class WebhookBacklog(DatabaseReadingCheck):
    """No webhook event from iCIMS has waited too long for a worker."""

    def probe(self) -> None:
        wait = oldest_unprocessed_webhook_wait()
        if wait is not None and wait > timedelta(seconds=settings.HEALTH_WEBHOOK_MAX_WAIT_SECONDS):
            raise ServiceUnavailable(f"oldest unprocessed webhook event has waited {_ago(wait)}")


READINESS_CHECKS = [
    "health_check.checks.Database",
    "health_check.checks.Cache",
    Broker,
    WorkerHeartbeat,
    BeatHeartbeat,
    WebhookBacklog,
]


class ReadinessView(HealthCheckView):
    """django-health-check's view, answering 503 (not 500) when a check fails: the service is unavailable."""

    checks = READINESS_CHECKS

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response
