"""The dispatcher feeding real workers (the Procfile's urgent and sync workers, on PostgreSQL and Redis): with
three tenants whose iCIMS host accepts connections and never answers, a healthy tenant's runs are dispatched
and done well within its 5-minute cadence, claimed by the sync workers from the tick's claims; the silent
tenants' runs end after a read timeout instead of holding the sync slots. Skipped without PostgreSQL and REDIS_URL."""

from __future__ import annotations

import time

import pytest

from integrations.models import Connection
from sync.models import SyncRun
from sync.services.sync_dispatch_tick import sync_dispatch_tick
from sync.services.sync_states_ensure import sync_states_ensure
from tests.celery_workers import wait_for

pytestmark = pytest.mark.celery_worker

SILENT_TENANTS = 3


def _silent_connections(host) -> list[Connection]:
    return [
        Connection.objects.create(
            name=f"Silent {number}",
            customer_id=f"80{number}",
            api_url_override=host.url,
            token_url_override=f"{host.url}/oauth/token",
            credential_mode=Connection.CredentialMode.CUSTOMER,
            client_id=f"silent-{number}",
            client_secret="silent-secret",
        )
        for number in range(SILENT_TENANTS)
    ]


def test_a_healthy_tenants_dispatched_runs_finish_within_its_cadence_beside_silent_tenants(
    start_worker, live_connection, silent_host, settings
):
    settings.SYNC_DISPATCH_JITTER_SECONDS = 10  # the tick's claims leave in slices over 10 s
    environment = {"ICIMS_READ_TIMEOUT": "3", "URGENT_CONCURRENCY": "1", "SYNC_CONCURRENCY": "2"}
    workers = [start_worker("worker-urgent", **environment), start_worker("worker-sync", **environment)]
    for worker in workers:
        worker.wait_ready()
    for connection in [*_silent_connections(silent_host), live_connection]:
        sync_states_ensure(connection=connection)
    started = time.monotonic()

    assert sync_dispatch_tick().claims == 3 * (SILENT_TENANTS + 1)
    assert sync_dispatch_tick().claims == 0  # their claims are pending: never sent twice

    healthy = SyncRun.objects.filter(connection=live_connection)
    wait_for(lambda: healthy.filter(status=SyncRun.Status.SUCCEEDED).count() == 3, what="the healthy runs", seconds=150)
    elapsed = time.monotonic() - started
    print(f"\nhealthy tenant's three dispatched runs done in {elapsed:.1f}s beside {SILENT_TENANTS} silent tenants")
    assert elapsed < 300
    assert healthy.count() == 3  # each due run claimed once; no second row per entity
    silent = SyncRun.objects.exclude(connection=live_connection)
    assert not silent.filter(status=SyncRun.Status.SUCCEEDED).exists()
    assert all(worker.process.poll() is None for worker in workers)
