"""What admins see and do about the sync: the per-connection overview, and the "sync now", "full reconcile"
and "reset cursor" actions (super admins only), which queue Celery tasks once the request commits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from goodtime_icims.celery import app
from sync.models import Entity, SyncRun, SyncState
from sync.selectors import connection_sync_overview
from sync.services.sync_runs_enqueue import sync_runs_enqueue_for_connections

pytestmark = pytest.mark.django_db

CONNECTIONS = reverse("admin:integrations_connection_changelist")
STATES = reverse("admin:sync_syncstate_changelist")


@pytest.fixture
def eager_celery():
    """Queued tasks run in the request, against the in-process sandbox."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_sync_now_queues_a_run_per_entity_after_the_commit(
    superadmin_client, sandbox, sandbox_connection, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = superadmin_client.post(
            CONNECTIONS, {"action": "sync_now", "_selected_action": [sandbox_connection.pk]}, follow=True
        )
    assert "Queued 3 sync run(s)." in response.content.decode()
    runs = SyncRun.objects.filter(connection=sandbox_connection)
    assert sorted(runs.values_list("entity", "status")) == sorted(
        (entity, SyncRun.Status.SUCCEEDED) for entity in Entity.values
    )


def test_full_reconcile_and_reset_cursor_make_the_next_run_walk_everything(
    superadmin_client, sandbox, sandbox_connection, run_sync, eager_celery, django_capture_on_commit_callbacks
):
    for entity in Entity.values:
        run_sync(entity)
    sandbox.clock.advance(minutes=10)
    response = superadmin_client.post(
        CONNECTIONS, {"action": "reset_cursor", "_selected_action": [sandbox_connection.pk]}, follow=True
    )
    assert "Reset 3 cursor(s)" in response.content.decode()
    assert set(SyncState.objects.values_list("backfill_checkpoint", "stream_key")) == {(0, "")}
    assert run_sync(Entity.JOBS).mode == SyncRun.Mode.RECONCILE

    with django_capture_on_commit_callbacks(execute=True):
        superadmin_client.post(
            STATES,
            {
                "action": "state_full_reconcile",
                "_selected_action": list(SyncState.objects.filter(entity=Entity.USERS).values_list("pk", flat=True)),
            },
        )
    assert SyncRun.objects.filter(entity=Entity.USERS).latest("started_at").mode == SyncRun.Mode.RECONCILE


def test_a_csm_sees_the_sync_overview_but_not_the_sync_actions(csm_client, sandbox_connection, run_sync, sandbox):
    run_sync(Entity.JOBS)
    page = csm_client.get(reverse("admin:integrations_connection_change", args=[sandbox_connection.pk])).content
    assert b"last full walk" in page and b"no successful run yet" in page
    listing = csm_client.get(CONNECTIONS).content.decode()
    assert "sync_now" not in listing and "reset_cursor" not in listing
    assert "state_sync_now" not in csm_client.get(STATES).content.decode()


def test_the_overview_shows_data_age_errors_and_calls(sandbox, sandbox_connection, run_sync):
    run_sync(Entity.JOBS)
    sandbox.faults.inject("error", count=10_000, path=r"/search/people")
    run_sync(Entity.USERS)

    overview = {row.entity: row for row in connection_sync_overview(connection=sandbox_connection).entities}

    assert overview[Entity.JOBS].data_age is not None and overview[Entity.JOBS].last_error == ""
    assert overview[Entity.USERS].data_age is None and overview[Entity.USERS].last_error
    assert overview[Entity.USERS].full_walk_pending
    assert connection_sync_overview(connection=sandbox_connection).sync_calls_this_hour > 0


def test_the_overview_says_which_entities_are_queued(superadmin_client, sandbox_connection):
    sync_runs_enqueue_for_connections(connections=[sandbox_connection], entities=[Entity.USERS])

    overview = {row.entity: row for row in connection_sync_overview(connection=sandbox_connection).entities}
    assert overview[Entity.USERS].queued is not None and overview[Entity.JOBS].queued is None
    page = superadmin_client.get(reverse("admin:integrations_connection_change", args=[sandbox_connection.pk]))
    assert "queued since" in page.content.decode()
