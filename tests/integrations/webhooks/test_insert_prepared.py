"""The webhook's one INSERT on PostgreSQL: parsed and planned once per database connection, not per event.

Django's own cursors are never prepared; this statement is, after its fifth run on a connection, unless
the settings turn prepared statements off (DATABASE_PREPARED_STATEMENTS=False: a pooler that cannot keep
them), which the connection then shows as no prepare threshold.
"""

from __future__ import annotations

import pytest
from django.db import connection as db_connection

from integrations.models import WebhookEvent
from tests.integrations.webhooks.conftest import fixture_payload

pytestmark = [
    pytest.mark.skipif(
        db_connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's (SQLite caches them itself)"
    ),
    pytest.mark.django_db(transaction=True),  # each test on a database connection of its own, as a new process
]


@pytest.fixture(autouse=True)
def new_database_connection():
    db_connection.close()  # a statement prepared by an earlier test lives as long as its connection
    yield


def _prepared_statements() -> list[str]:
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _post_events(post_webhook, authorization: str, count: int) -> None:
    for number in range(count):
        payload = {**fixture_payload("WorkFlowStatusChangeEvent"), "systemId": str(20000 + number)}
        assert post_webhook(payload, authorization=authorization).status_code == 200


def test_the_insert_is_prepared_once_per_connection_and_reused(post_webhook, acme, acme_basic):
    _post_events(post_webhook, acme_basic, count=12)

    prepared = _prepared_statements()
    assert len(prepared) == 1
    assert 'INSERT INTO "integrations_webhookevent"' in prepared[0]
    assert WebhookEvent.objects.count() == 12


def test_with_prepared_statements_off_nothing_is_prepared_and_every_event_is_stored(post_webhook, acme, acme_basic):
    db_connection.ensure_connection()
    raw = db_connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, None  # what DATABASE_PREPARED_STATEMENTS=False gives
    try:
        _post_events(post_webhook, acme_basic, count=12)
    finally:
        raw.prepare_threshold = threshold

    assert _prepared_statements() == []
    assert WebhookEvent.objects.count() == 12
