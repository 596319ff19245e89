"""Deliver one event to one endpoint: claim, sign (Standard Webhooks), POST, record, and decide what next.

Only the worker whose conditional UPDATE moved the delivery to "delivering" goes on, so one event is
never being sent to one endpoint twice at once (a countdown and a sweep nudging the same row, or a
replay pressed meanwhile, find nothing to claim). A 2xx delivers it; anything else is retried after
the next of PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS (about 3 days in all): a short wait as a countdown
in the broker, a long one left to the sweep (platform_webhooks_sweep.py); no worker ever sleeps.
Failing endpoints are disabled by platform_webhook_endpoint_failure_record, which opens an alert.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from standardwebhooks import Webhook

from integrations.models import PlatformWebhookAttempt, PlatformWebhookDelivery

from .platform_webhook_destination import platform_webhook_url_refusal
from .platform_webhook_endpoints import (
    platform_webhook_endpoint_failure_record,
    platform_webhook_endpoint_success_record,
)
from .platform_webhook_events import platform_webhook_deliveries_enqueue
from .task_queue import PLATFORM_WEBHOOK_DELIVER, task_enqueue

logger = logging.getLogger(__name__)

CLAIMABLE = (PlatformWebhookDelivery.State.PENDING, PlatformWebhookDelivery.State.RETRYING)
RESPONSE_BODY_LIMIT = 2000
USER_AGENT = "goodtime-icims-webhooks/1"
# One session per worker process: keep-alive to the receiver saves a TLS handshake per event.
_session = requests.Session()


@dataclass(frozen=True)
class Answer:
    status: int | None = None
    body: str = ""
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def platform_webhook_claim(*, delivery: PlatformWebhookDelivery, now=None) -> bool:
    """Take the delivery as read (due, not being sent, its endpoint enabled) if nobody took it since: one UPDATE."""
    now = now or timezone.now()
    due = delivery.next_attempt_at is None or delivery.next_attempt_at <= now
    if not (due and delivery.state in CLAIMABLE and delivery.endpoint.is_enabled):
        return False
    claimed = PlatformWebhookDelivery.objects.filter(
        pk=delivery.pk, state=delivery.state, attempts=delivery.attempts
    ).update(state=PlatformWebhookDelivery.State.DELIVERING, attempts=F("attempts") + 1, updated_at=now)
    if claimed:
        delivery.state, delivery.attempts = PlatformWebhookDelivery.State.DELIVERING, delivery.attempts + 1
    return claimed == 1


def platform_webhook_request(*, secret: str, event_id: str, payload: dict, at=None) -> tuple[dict, str]:
    """(headers, body) of one signed POST: `webhook-signature` is `v1,<base64 HMAC-SHA256>` over
    `id.timestamp.body` with the endpoint's whsec_ secret, as the Standard Webhooks libraries verify."""
    at = at or timezone.now()
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=event_id, timestamp=at, data=body),
    }
    return headers, body


def _post(url: str, headers: dict, body: str) -> Answer:
    refusal = platform_webhook_url_refusal(url)
    if refusal is not None:
        return Answer(error=f"Nothing was sent: {refusal}")
    timeouts = (settings.PLATFORM_WEBHOOK_CONNECT_TIMEOUT, settings.PLATFORM_WEBHOOK_READ_TIMEOUT)
    try:
        with _session.post(
            url, data=body.encode(), headers=headers, timeout=timeouts, allow_redirects=False, stream=True
        ) as response:
            text = response.raw.read(RESPONSE_BODY_LIMIT * 2, decode_content=True).decode("utf-8", "replace")
            status = response.status_code
    except requests.Timeout:
        return Answer(error="Timed out waiting for the endpoint.")
    except requests.RequestException as exc:
        return Answer(error=f"Could not reach the endpoint: {type(exc).__name__}")
    error = "" if 200 <= status < 300 else f"The endpoint answered HTTP {status}."
    return Answer(status=status, body=text[:RESPONSE_BODY_LIMIT], error=error)


def platform_webhook_deliver(*, delivery_id: int, replay: bool = False) -> PlatformWebhookDelivery | None:
    """Send the delivery if this caller wins the claim and it is due; None otherwise.

    Four round trips to the database on success (read, claim, attempt, outcome): a delivery is mostly
    waiting on them, so each one counts.
    """
    delivery = PlatformWebhookDelivery.objects.select_related("message", "endpoint").filter(pk=delivery_id).first()
    if delivery is None or not platform_webhook_claim(delivery=delivery):
        return None
    endpoint, message = delivery.endpoint, delivery.message
    started = timezone.now()
    headers, body = platform_webhook_request(
        secret=endpoint.secret, event_id=message.event_id, payload=message.payload, at=started
    )
    clock = time.monotonic()
    answer = _post(endpoint.url, headers, body)
    duration_ms = int((time.monotonic() - clock) * 1000)
    next_attempt_at = None if answer.delivered else _next_attempt_at(delivery.attempts)
    outcome = {
        "state": _state_after(answer, next_attempt_at),
        "next_attempt_at": next_attempt_at,
        "last_status": answer.status,
        "last_error": answer.error,
    }
    # A success needs no transaction: should the worker die between the two writes, the sweep sends the
    # event again (receivers deduplicate on webhook-id). A failure also updates the endpoint, atomically.
    with transaction.atomic() if not answer.delivered else nullcontext():
        PlatformWebhookAttempt.objects.create(
            delivery=delivery,
            started_at=started,
            duration_ms=duration_ms,
            replay=replay,
            request_headers={k: v for k, v in headers.items() if k != "webhook-signature"},
            request_body=body,
            response_status=answer.status,
            response_body=answer.body,
            error=answer.error,
            next_attempt_at=next_attempt_at,
        )
        now = timezone.now()
        outcome.update(updated_at=now, delivered_at=now if answer.delivered else None)
        # Only while still ours: if the sweep took the row back after our lease ran out, it decides.
        finished = PlatformWebhookDelivery.objects.filter(
            pk=delivery.pk, state=PlatformWebhookDelivery.State.DELIVERING, attempts=delivery.attempts
        ).update(**outcome)
        if answer.delivered:
            platform_webhook_endpoint_success_record(endpoint=endpoint)
        else:
            platform_webhook_endpoint_failure_record(endpoint=endpoint, error=answer.error, now=now)
        countdown = (next_attempt_at - now).total_seconds() if next_attempt_at else None
        if finished and countdown is not None and countdown <= settings.WAIT_COUNTDOWN_MAX_SECONDS:
            transaction.on_commit(
                lambda: platform_webhook_deliveries_enqueue(delivery_ids=[delivery.pk], countdown=max(countdown, 0)),
                robust=True,
            )
    if finished:
        for name, value in outcome.items():
            setattr(delivery, name, value)
    log = logger.info if answer.delivered else logger.warning
    log(
        "Platform webhook %s (%s) to endpoint %s, attempt %s: %s",
        message.event_id,
        message.event_type,
        endpoint.pk,
        delivery.attempts,
        outcome["state"] if answer.delivered else f"{outcome['state']}: {answer.error}",
    )
    return delivery


def _next_attempt_at(attempts: int):
    delays = settings.PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS
    if attempts > len(delays):
        return None
    return timezone.now() + timedelta(seconds=delays[attempts - 1])


def _state_after(answer: Answer, next_attempt_at) -> str:
    if answer.delivered:
        return PlatformWebhookDelivery.State.DELIVERED
    if next_attempt_at is None:
        return PlatformWebhookDelivery.State.DEAD
    return PlatformWebhookDelivery.State.RETRYING


def platform_webhook_replay(*, delivery_ids: list[int]) -> int:
    """Send these deliveries again now (delivered or dead ones too), one attempt each; returns how many."""
    now = timezone.now()
    replayable = list(
        PlatformWebhookDelivery.objects.filter(pk__in=delivery_ids, endpoint__is_enabled=True)
        .exclude(state=PlatformWebhookDelivery.State.DELIVERING)
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        PlatformWebhookDelivery.objects.filter(pk__in=replayable).exclude(
            state=PlatformWebhookDelivery.State.DELIVERING
        ).update(state=PlatformWebhookDelivery.State.PENDING, next_attempt_at=now, updated_at=now)
        transaction.on_commit(lambda: _replays_enqueue(replayable), robust=True)
    return len(replayable)


def _replays_enqueue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        task_enqueue(name=PLATFORM_WEBHOOK_DELIVER, args=(delivery_id, True))
