"""Build tenants in a known state of health: the rows the health service reads, written directly."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from integrations.models import Connection, WebhookEvent, Writeback
from sync.models import Entity, SyncRun, SyncState

REFUSED = "iCIMS refused the client id 'acme-client' or its secret at https://login.icims.test/oauth/token: no"


def tenant(name: str, customer_id: str, **fields) -> Connection:
    """A connection done onboarding (its initial sync ran), synced a minute ago."""
    fields.setdefault("initial_sync_done_at", timezone.now() - timedelta(days=1))
    connection = Connection.objects.create(name=name, customer_id=customer_id, **fields)
    synced(connection, at=timezone.now() - timedelta(minutes=1))
    return connection


def synced(connection: Connection, *, at: datetime, entities=Entity.values) -> None:
    for entity in entities:
        SyncRun.objects.create(
            connection=connection,
            entity=entity,
            mode=SyncRun.Mode.INCREMENTAL_STREAM if connection.stream_id else SyncRun.Mode.INCREMENTAL_SEARCH,
            status=SyncRun.Status.SUCCEEDED,
            started_at=at,
            finished_at=at + timedelta(seconds=5),
        )
        state, _ = SyncState.objects.get_or_create(connection=connection, entity=entity)
        state.last_success_at, state.last_error = at + timedelta(seconds=5), ""
        state.save()


def failed_runs(connection: Connection, *, entity: str = "jobs", count: int, error: str = "iCIMS answered HTTP 500"):
    now = timezone.now()
    for index in range(count):
        at = now - timedelta(seconds=count - index)
        SyncRun.objects.create(
            connection=connection,
            entity=entity,
            mode=SyncRun.Mode.INCREMENTAL_SEARCH,
            status=SyncRun.Status.FAILED,
            started_at=at,
            finished_at=at,
            error=error,
        )
    SyncState.objects.update_or_create(
        connection=connection, entity=entity, defaults={"last_error": error, "last_error_at": now}
    )


def webhook_waiting(connection: Connection, *, minutes: float, outcome: str = "", state: str = "received"):
    at = timezone.now() - timedelta(minutes=minutes)
    return WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        payload={},
        received_at=at,
        state_changed_at=at,
        dedupe_key=f"key-{WebhookEvent.objects.count()}",
        state=state,
        outcome=outcome,
    )


def writeback_in(connection: Connection, *, state: str) -> Writeback:
    return Writeback.objects.create(
        connection=connection,
        action=Writeback.Action.ADVANCE_STATUS,
        idempotency_key=f"wb-{Writeback.objects.count()}",
        state=state,
        last_error="iCIMS answered HTTP 500" if state == Writeback.State.DEAD else "",
    )
