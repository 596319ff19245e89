"""`make run`'s seed: an admin and the sandbox connection, idempotent; the connection is due for its first sync."""

from __future__ import annotations

import pytest

from integrations.models import Connection
from integrations.services.dev_seed import dev_seed
from sync.models import SyncRun, SyncState
from sync.services.sync_dispatch_tick import sync_dispatch_tick

pytestmark = pytest.mark.django_db


def test_seeding_twice_keeps_one_sandbox_connection_whose_sync_the_dispatcher_sends_claims_for_at_once():
    dev_seed(admin_password="first-password", sandbox_url="http://127.0.0.1:8001")
    result = dev_seed(admin_password="second-password", sandbox_url="http://127.0.0.1:8001")

    assert Connection.objects.get() == result.connection
    assert SyncState.objects.filter(connection=result.connection, next_run_at__isnull=True).count() == 3
    assert sync_dispatch_tick().claims == 3
    assert not SyncRun.objects.exists()  # the sync workers claim the due runs themselves
