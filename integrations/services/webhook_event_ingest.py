"""Store an authenticated iCIMS event notification, once: the request's one write.

Runs inside the request, so it does only database work: no iCIMS call, no broker round trip. A
worker finds the new row by itself (webhook_events_listen.py); only when tasks run in process
(`task_always_eager`: no broker, no worker to find it) is it processed straight after the commit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.utils import timezone

from integrations.models import Connection, WebhookEvent

from .task_queue import WEBHOOK_EVENT_PROCESS, task_enqueue
from .webhook_event_insert import webhook_credentials_current, webhook_event_insert
from .webhook_event_types import EVENT_TYPES, Handling, handling_for

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
# Credentials, cookies and anything that looks like a signature or token never reach the row.
_SECRET_HEADER = re.compile(r"authorization|cookie|signature|token|secret|password|api[-_]?key", re.IGNORECASE)


class WebhookEventRefused(Exception):
    """The event is authenticated but names a customer that is not the connection's."""


class WebhookCredentialsChanged(Exception):
    """The connection's credentials (or its pause, or the connection itself) changed since the caller read
    them: nothing was stored; authenticate again from the database and retry."""


@dataclass(frozen=True)
class IcimsEvent:
    """An event notification as the webhook endpoint read it from the request body."""

    event_type: str
    customer_id: str
    payload: dict
    payload_json: str  # payload_canonical_json(payload): what is stored and hashed
    indexed: dict[str, str]  # column name -> value, "" when absent or not a plain id


@dataclass(frozen=True)
class IngestResult:
    event_id: int
    state: str  # the stored event's (a duplicate's: the first copy's)
    created: bool


def webhook_event_ingest(
    *,
    connection: Connection,
    event: IcimsEvent,
    headers: Mapping[str, str],
    received_at: datetime | None = None,
    credentials_as_stored: Mapping[str, object] | None = None,
) -> IngestResult:
    """Store the event (or find its duplicate) and enqueue processing after commit.

    Raises WebhookEventRefused, storing nothing, when the event names another tenant's customer:
    a connection's credentials can never put an event in front of another connection.
    Given `credentials_as_stored` (the connection's credential columns as the caller read them), stores
    only while the connection's row still holds them, and raises WebhookCredentialsChanged otherwise.
    """
    if event.customer_id != connection.customer_id:
        logger.warning(
            "Webhook for connection %s names customerId %r, not %r: refused, nothing stored",
            connection.pk,
            event.customer_id,
            connection.customer_id,
        )
        raise WebhookEventRefused(
            f"customerId {event.customer_id} does not belong to the credentials that signed this event."
        )
    received_at = received_at or timezone.now()
    state, outcome = _initial_state(connection=connection, event_type=event.event_type)
    dedupe_key = webhook_event_dedupe_key(payload_json=event.payload_json, received_at=received_at)
    # Column values as the INSERT takes them: no model instance, no field-by-field conversion per request.
    stored_at = db_connection.ops.adapt_datetimefield_value(received_at)
    values = {
        "connection_id": connection.pk,
        "event_type": event.event_type,
        "customer_id": event.customer_id,
        "payload": event.payload_json,
        "headers": json.dumps(headers_redact(headers=headers), ensure_ascii=False),
        "received_at": stored_at,
        "state_changed_at": stored_at,
        "dedupe_key": dedupe_key,
        "state": state,
        "outcome": outcome,
        **event.indexed,
    }
    stored_id = _store(values, credentials_as_stored=credentials_as_stored)
    if stored_id is None:
        # Nothing written: a duplicate, or credentials changed since they were read (only then is this asked).
        if credentials_as_stored and not webhook_credentials_current(credentials_as_stored=credentials_as_stored):
            raise WebhookCredentialsChanged(f"Connection {connection.pk}'s webhook credentials changed.")
        duplicate = (
            WebhookEvent.objects.filter(connection=connection, dedupe_key=dedupe_key).values_list("pk", "state").first()
        )
        if duplicate is None:  # gone since the INSERT skipped it (its connection just deleted): not stored
            raise IntegrityError(f"Event {dedupe_key} neither stored nor found: its connection is gone.")
        logger.info(
            "Webhook %s for connection %s is a duplicate of event %s", event.event_type, connection.pk, duplicate[0]
        )
        return IngestResult(event_id=duplicate[0], state=duplicate[1], created=False)
    if state == WebhookEvent.State.RECEIVED and current_app.conf.task_always_eager:
        transaction.on_commit(lambda: webhook_event_enqueue(event_id=stored_id), robust=True)
    if connection.webhook_first_seen_at is None:
        _first_seen_tick(connection=connection, at=received_at)
        connection.webhook_first_seen_at = received_at  # a cached connection asks only once
    return IngestResult(event_id=stored_id, state=state, created=True)


def _store(values: Mapping[str, object], *, credentials_as_stored: Mapping[str, object] | None) -> int | None:
    """One INSERT. Outside a transaction it commits on its own (no BEGIN/COMMIT round trips); inside
    one, a savepoint keeps any database error from breaking the caller's transaction."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return webhook_event_insert(values=values, credentials_as_stored=credentials_as_stored)
    return webhook_event_insert(values=values, credentials_as_stored=credentials_as_stored)


def payload_canonical_json(payload: dict) -> str:
    """The payload as text, keys sorted: equal payloads give equal text, whatever order they came in."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def webhook_event_dedupe_key(*, payload_json: str, received_at: datetime) -> str:
    """The hash of the whole payload, plus the dedupe window it arrived in.

    iCIMS duplicates are the same notification sent again for one user action, so they are
    byte-for-byte the same event; hashing the whole payload works for every event type (not all
    carry systemId or newStatus) and never merges two events that differ in any field. The
    window lets the same move happen again later (out of a status and back in) and still count.
    Two copies straddling a window boundary both get stored; processing is idempotent, so that
    costs a little work, never a double booking.
    """
    digest = hashlib.sha256(payload_json.encode("utf-8")).hexdigest()
    window = int(received_at.timestamp()) // settings.WEBHOOK_DEDUPE_WINDOW_SECONDS
    return f"{digest}:{window}"


def headers_redact(*, headers: Mapping[str, str]) -> dict[str, str]:
    return {name: REDACTED if _is_secret_header(name) else value for name, value in headers.items()}


@functools.lru_cache(maxsize=1024)  # the same few header names on every request: decided once each
def _is_secret_header(name: str) -> bool:
    return _SECRET_HEADER.search(name) is not None


def webhook_event_enqueue(*, event_id: int, countdown: float | None = None) -> None:
    task_enqueue(name=WEBHOOK_EVENT_PROCESS, args=(event_id,), countdown=countdown)


def _initial_state(*, connection: Connection, event_type: str) -> tuple[str, str]:
    if event_type not in EVENT_TYPES:
        return WebhookEvent.State.IGNORED, f"Unknown event type {event_type}: stored, not processed."
    if handling_for(event_type) == Handling.IGNORE:
        return WebhookEvent.State.IGNORED, f"{event_type} events are stored but not used."
    if not connection.is_active:
        # Still stored and answered 200: the iCIMS user did nothing wrong, and the event can be
        # replayed from the admin once the connection is resumed.
        return WebhookEvent.State.IGNORED, "The connection was paused when this event arrived; replay to process."
    return WebhookEvent.State.RECEIVED, ""


def _first_seen_tick(*, connection: Connection, at: datetime) -> None:
    # Conditional, so concurrent first events agree on one time: the earliest to commit.
    Connection.objects.filter(pk=connection.pk, webhook_first_seen_at__isnull=True).update(webhook_first_seen_at=at)
