"""`manage.py icims_sync`: the same sync from the shell, in the foreground, non-zero exit on failure."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sync.models import Entity, SyncRun

pytestmark = pytest.mark.django_db


def test_the_command_syncs_one_entity_of_one_connection(sandbox, sandbox_connection, in_scope, mirrored):
    out = StringIO()
    call_command("icims_sync", "--customer-id", "1000", "--entity", "jobs", stdout=out)
    assert "1000 jobs backfill: succeeded" in out.getvalue()
    assert mirrored(Entity.JOBS) == in_scope(Entity.JOBS)
    assert not SyncRun.objects.exclude(entity=Entity.JOBS).exists()


def test_full_walks_again(sandbox, sandbox_connection):
    call_command("icims_sync", "--customer-id", "1000", "--entity", "users", stdout=StringIO())
    out = StringIO()
    call_command("icims_sync", "--customer-id", "1000", "--entity", "users", "--full", stdout=out)
    assert "1000 users reconcile: succeeded" in out.getvalue()


def test_a_failed_run_exits_non_zero_with_the_reason(sandbox, sandbox_connection):
    sandbox_connection.client_secret = "wrong-secret"
    sandbox_connection.save()
    err = StringIO()
    with pytest.raises(CommandError, match="1 sync run"):
        call_command("icims_sync", "--customer-id", "1000", "--entity", "jobs", stdout=StringIO(), stderr=err)
    assert "failed" in err.getvalue() and "wrong-secret" not in err.getvalue()


def test_an_unknown_customer_id_is_refused(db):
    with pytest.raises(CommandError, match="No connection with CustomerId 999"):
        call_command("icims_sync", "--customer-id", "999")


def test_an_unknown_entity_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("icims_sync", "--entity", "workflows")


def test_queue_records_queued_runs_and_returns_without_syncing(sandbox, sandbox_connection, mirrored):
    out = StringIO()
    call_command("icims_sync", "--queue", "--customer-id", "1000", "--entity", "jobs", stdout=out)

    assert "1000 jobs: queued" in out.getvalue() and "Queued 1 run(s)." in out.getvalue()
    assert list(SyncRun.objects.values_list("entity", "status")) == [(Entity.JOBS, SyncRun.Status.QUEUED)]
    assert mirrored(Entity.JOBS) == set()  # nothing ran in the foreground


def test_queue_twice_does_not_queue_a_second_run(sandbox, sandbox_connection):
    call_command("icims_sync", "--queue", "--customer-id", "1000", stdout=StringIO())
    out = StringIO()
    call_command("icims_sync", "--queue", "--customer-id", "1000", "--full", stdout=out)

    assert "Queued 0 run(s); 3 already queued or running." in out.getvalue()
    assert SyncRun.objects.count() == 3


def test_queue_says_which_paused_connections_it_left_out(sandbox, sandbox_connection):
    sandbox_connection.is_active = False
    sandbox_connection.save()
    err = StringIO()
    call_command("icims_sync", "--queue", "--customer-id", "1000", stdout=StringIO(), stderr=err)

    assert "Paused, not queued: 1000." in err.getvalue()
    assert not SyncRun.objects.exists()
