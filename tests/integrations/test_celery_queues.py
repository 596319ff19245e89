"""The queue layout (settings/celery.py, Procfile, Procfile.dev): a recruiter's event never waits behind
a sync, even when other tenants' iCIMS hosts accept connections and never answer.

Each test starts the Procfiles' own worker commands (tests/celery_workers.py); they need PostgreSQL
and REDIS_URL, and are skipped otherwise.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from goodtime_icims.celery import app as celery_app
from integrations.models import Connection, SchedulingRequest, WebhookEvent
from integrations.services.webhook_event_ingest import webhook_event_ingest
from integrations.webhooks.request_body import event_parse
from sync.models import Entity, SyncRun
from sync.tasks import sync_entity
from tests.celery_workers import wait_for
from tests.integrations.conftest import WORKFLOW_ID, status_change_payload

pytestmark = pytest.mark.celery_worker

HANGING_TENANTS = 3
READ_TIMEOUT = "3"


def test_webhook_events_and_writebacks_go_to_the_urgent_queue_and_syncs_to_the_sync_queue():
    route = celery_app.amqp.router.route
    assert route({}, "integrations.tasks.webhook_event_process")["queue"].name == "urgent"
    assert route({}, "integrations.tasks.writeback_send")["queue"].name == "urgent"
    assert route({}, "sync.tasks.sync_entity")["queue"].name == "sync"
    assert route({}, "sync.tasks.sync_dispatch")["queue"].name == "urgent"  # a tick never waits behind a run
    assert route({}, "integrations.tasks.records_prune")["queue"].name == "sync"  # bulk deletes: off urgent slots
    assert route({}, "anything.else")["queue"].name == "urgent"  # never a queue nobody consumes


def test_every_task_has_a_soft_and_a_hard_time_limit():
    tasks = [task for name, task in celery_app.tasks.items() if not name.startswith("celery.")]
    assert tasks
    for task in tasks:
        soft = task.soft_time_limit or celery_app.conf.task_soft_time_limit
        hard = task.time_limit or celery_app.conf.task_time_limit
        assert 0 < soft < hard, task.name


def _hanging_connections(silent_host) -> list[Connection]:
    return [
        Connection.objects.create(
            name=f"Silent tenant {number}",
            customer_id=f"90{number}",
            api_url_override=silent_host.url,
            token_url_override=f"{silent_host.url}/oauth/token",
            stream_url_override=f"{silent_host.url}/datastream/v2",
            credential_mode=Connection.CredentialMode.CUSTOMER,
            client_id=f"silent-{number}",
            client_secret="silent-secret",
        )
        for number in range(HANGING_TENANTS)
    ]


def _queue_every_sync(connections) -> None:
    for connection in connections:
        for entity in Entity.values:
            sync_entity.delay(connection.pk, entity)


def _status_change_becomes_a_request(client, sandbox_basic) -> float:
    started = time.monotonic()
    response = client.post(
        "/v2/ats/webhook/icims",
        json.dumps(status_change_payload()),
        content_type="application/json",
        HTTP_AUTHORIZATION=sandbox_basic,
    )
    assert response.status_code == 200
    wait_for(lambda: SchedulingRequest.objects.filter(workflow_id=WORKFLOW_ID).exists(), what="the request", seconds=30)
    return time.monotonic() - started


def test_with_three_silent_tenants_syncing_a_healthy_tenants_status_change_becomes_a_request_within_10_seconds(
    start_worker, live_connection, silent_host, client, sandbox_basic
):
    environment = {"ICIMS_READ_TIMEOUT": READ_TIMEOUT, "URGENT_CONCURRENCY": "1", "SYNC_CONCURRENCY": "2"}
    urgent, sync = start_worker("worker-urgent", **environment), start_worker("worker-sync", **environment)
    urgent.wait_ready()
    sync.wait_ready()
    _queue_every_sync([*_hanging_connections(silent_host), live_connection])
    wait_for(lambda: silent_host.held, what="the sync worker to be stuck on a silent tenant")

    latency = _status_change_becomes_a_request(client, sandbox_basic)

    print(f"\nreceived -> scheduling request with {HANGING_TENANTS} silent tenants syncing: {latency:.2f}s")
    assert latency < 10
    # the request is made inside processing; the event's own row is marked a moment later
    wait_for(
        lambda: WebhookEvent.objects.filter(state=WebhookEvent.State.PROCESSED).exists(), what="the event", seconds=10
    )
    # and the healthy tenant's sync is not starved: every entity done well within its 5 minutes
    wait_for(
        lambda: SyncRun.objects.filter(connection=live_connection, status=SyncRun.Status.SUCCEEDED).count() == 3,
        what="the healthy tenant's syncs",
        seconds=120,
    )
    silent_runs = SyncRun.objects.exclude(connection=live_connection)
    assert not silent_runs.filter(status=SyncRun.Status.SUCCEEDED).exists()
    failed = silent_runs.filter(status=SyncRun.Status.FAILED)
    assert failed.exists()
    # A host that never answers costs a run one read timeout (3 s here; two when it first waited for the
    # other slot's token fetch from the same host), not minutes of waits.
    longest = max((run.finished_at - run.started_at).total_seconds() for run in failed)
    print(f"longest run against a silent tenant: {longest:.1f}s")
    assert longest < 4 * float(READ_TIMEOUT)
    assert urgent.process.poll() is None and sync.process.poll() is None


def _events_of(connections, *, each: int) -> None:
    """`each` status changes of every connection, stored as the endpoint stores them (the listener queues them)."""
    for connection in connections:
        for number in range(each):
            payload = status_change_payload(customer_id=connection.customer_id, workflow_id=str(9100 + number))
            event = event_parse(body=json.dumps(payload).encode())
            webhook_event_ingest(connection=connection, event=event, headers={})


def test_events_of_tenants_whose_icims_hangs_never_hold_the_urgent_slots_and_keep_their_attempts(
    start_worker, live_connection, silent_host, client, sandbox_basic
):
    """Twelve events of three hanging tenants stored before a healthy one's: each hanging tenant costs the urgent
    workers one short timeout (then its events go to the sync workers), so the healthy event becomes a
    request within 5 s. Before the urgent lane each held a slot for a whole read timeout until the breaker
    opened: 12 events x 3 s over 4 slots put the healthy one ~9 s back."""
    environment = {"ICIMS_READ_TIMEOUT": READ_TIMEOUT, "ICIMS_URGENT_READ_TIMEOUT": "1.5", "SYNC_CONCURRENCY": "2"}
    urgent, sync = start_worker("worker-urgent", **environment), start_worker("worker-sync", **environment)
    urgent.wait_ready()
    sync.wait_ready()
    hanging = _hanging_connections(silent_host)
    _events_of(hanging, each=4)

    latency = _status_change_becomes_a_request(client, sandbox_basic)

    print(f"\nreceived -> scheduling request behind 12 events of {HANGING_TENANTS} hanging tenants: {latency:.2f}s")
    assert latency < 5
    hanging_events = WebhookEvent.objects.exclude(connection=live_connection)

    def tried_on_the_sync_workers() -> bool:  # a real failure after the full timeout, or waiting for the breaker
        return all(
            event.attempts <= 1 and ("IcimsTimeout" in event.last_error or "Circuit breaker" in event.waiting_reason)
            for event in hanging_events.all()  # read again each time
        )

    wait_for(tried_on_the_sync_workers, what="the hanging tenants' events to reach the sync workers", seconds=90)
    assert not hanging_events.filter(state=WebhookEvent.State.FAILED).exists()
    assert urgent.process.poll() is None and sync.process.poll() is None


@pytest.fixture
def publish_to_folders():
    """This process publishes to a filesystem broker's folders (the embedded profile's), then back."""
    saved = {name: celery_app.conf[name] for name in ("broker_url", "broker_transport_options")}

    def publish(folder: Path) -> None:
        celery_app.conf.update(
            broker_url="filesystem://",
            broker_transport_options={
                "data_folder_in": str(folder / "queue"),
                "data_folder_out": str(folder / "queue"),
                "processed_folder": str(folder / "processed"),
                "control_folder": str(folder / "control"),
                "store_processed": False,
            },
        )
        celery_app._pool = celery_app.amqp._producer_pool = None

    yield publish
    celery_app.conf.update(saved)
    celery_app._pool = celery_app.amqp._producer_pool = None


def test_the_embedded_profile_splits_the_queues_the_same_way(
    start_worker, live_connection, silent_host, client, sandbox_basic, tmp_path, publish_to_folders
):
    """Procfile.dev: the filesystem broker (no Redis) with one worker per queue, beat in the sync one."""
    var_dir = tmp_path / "var"
    environment = {"ICIMS_READ_TIMEOUT": READ_TIMEOUT, "REDIS_URL": "", "VAR_DIR": str(var_dir)}
    urgent = start_worker("worker-urgent", procfile="Procfile.dev", **environment)
    sync = start_worker("worker-sync", procfile="Procfile.dev", **environment)
    urgent.wait_ready()
    sync.wait_ready()
    publish_to_folders(var_dir / "celery")
    assert celery_app.connection_for_write().as_uri().startswith("filesystem")

    _queue_every_sync(_hanging_connections(silent_host))
    wait_for(lambda: silent_host.held, what="the sync worker to be stuck on a silent tenant")

    latency = _status_change_becomes_a_request(client, sandbox_basic)

    print(f"\nembedded profile: received -> scheduling request with silent tenants syncing: {latency:.2f}s")
    assert latency < 10
    assert urgent.process.poll() is None and sync.process.poll() is None
