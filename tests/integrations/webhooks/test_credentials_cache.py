"""The webhook's credentials memory: a known sender costs one write, and a change made by any process applies
to the very next request.

"Another process" is played by a database write that runs no code of this process (no signal, no cache):
the event's INSERT itself checks that the credentials this process remembers are still the stored ones.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext

from integrations.models import Connection, WebhookEvent
from integrations.services.connection_pause import connections_set_active
from tests.integrations.webhooks.conftest import GLOBEX_KEY, basic_authorization, fixture_payload

NEW_PASSWORD = "acme-webhook-password-rotated-41c7"


def _payload(number: int, *, customer_id: str = "2187") -> dict:
    return {**fixture_payload("WorkFlowStatusChangeEvent"), "systemId": str(13437 + number), "customerId": customer_id}


@contextmanager
def _statements():
    """The SQL statements a request runs, without the savepoints the test's own transaction adds."""
    statements: list[str] = []
    with CaptureQueriesContext(db_connection) as captured:
        yield statements
    statements.extend(
        "INSERT" if "INSERT INTO" in query["sql"].upper() else query["sql"].split()[0].upper()
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    )


def _changed_by_another_process(connection: Connection, **fields) -> None:
    # An UPDATE runs no signal and touches no cache: all this process could learn it from is the database.
    Connection.objects.filter(pk=connection.pk).update(**fields)


def test_a_sender_already_checked_costs_one_statement_the_insert(post_webhook, acme, acme_basic):
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200

    with _statements() as statements:
        response = post_webhook(_payload(2), authorization=acme_basic)

    assert response.json()["status"] == "received"
    assert statements == ["INSERT"]


def test_a_password_changed_by_another_process_applies_to_the_next_request(post_webhook, acme, acme_basic):
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200

    acme.webhook_password = NEW_PASSWORD
    _changed_by_another_process(acme, webhook_password=NEW_PASSWORD)

    assert post_webhook(_payload(2), authorization=acme_basic).status_code == 401
    assert post_webhook(_payload(3), authorization=basic_authorization("icims-acme", NEW_PASSWORD)).status_code == 200


def test_a_pause_by_another_process_applies_to_the_next_request(post_webhook, acme, acme_basic):
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200

    _changed_by_another_process(acme, is_active=False)
    response = post_webhook(_payload(2), authorization=acme_basic)

    assert response.status_code == 200  # still stored and answered: the sender did nothing wrong
    assert WebhookEvent.objects.get(pk=response.json()["id"]).state == WebhookEvent.State.IGNORED


def test_a_connection_deleted_by_another_process_refuses_the_next_request(post_webhook, acme, acme_basic):
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200

    Connection.objects.filter(pk=acme.pk).delete()

    assert post_webhook(_payload(2), authorization=acme_basic).status_code == 401
    assert not WebhookEvent.objects.exists()


def test_a_duplicate_from_a_remembered_sender_is_answered_as_one(post_webhook, acme, acme_basic):
    first = post_webhook(_payload(1), authorization=acme_basic).json()

    with _statements() as statements:
        again = post_webhook(_payload(1), authorization=acme_basic).json()

    assert again == {"status": "duplicate", "id": first["id"]}
    assert statements == ["INSERT", "SELECT", "SELECT"]  # nothing written; credentials still current; the original


def test_a_customer_id_changed_by_another_process_applies_to_the_next_request(post_webhook, acme, acme_basic):
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200

    _changed_by_another_process(acme, customer_id="2188")

    assert post_webhook(_payload(2), authorization=acme_basic).status_code == 403
    assert post_webhook(_payload(3, customer_id="2188"), authorization=acme_basic).status_code == 200


def test_a_paused_connection_saved_in_this_process_stores_the_next_event_as_ignored(post_webhook, acme, acme_basic):
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200

    connections_set_active(connections=Connection.objects.filter(pk=acme.pk), active=False)
    response = post_webhook(_payload(2), authorization=acme_basic)

    assert WebhookEvent.objects.get(pk=response.json()["id"]).state == WebhookEvent.State.IGNORED


def test_a_wrong_password_is_never_remembered(post_webhook, acme, acme_basic):
    wrong = basic_authorization("icims-acme", "not-the-password")
    assert post_webhook(_payload(1), authorization=wrong).status_code == 401

    with _statements() as statements:
        assert post_webhook(_payload(1), authorization=wrong).status_code == 401
    assert statements == ["SELECT"]  # looked up again, not taken from memory
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200


def test_an_hmac_key_rotated_by_another_process_applies_to_the_next_request(post_webhook, globex):
    assert post_webhook(_payload(1, customer_id="3100"), hmac_key=GLOBEX_KEY).status_code == 200

    rotated = "globex-hmac-key-next-55cc"
    _changed_by_another_process(globex, webhook_hmac_key=rotated, webhook_hmac_key_previous="")

    assert post_webhook(_payload(2, customer_id="3100"), hmac_key=GLOBEX_KEY).status_code == 401
    assert post_webhook(_payload(3, customer_id="3100"), hmac_key=rotated).status_code == 200


def test_with_the_memory_turned_off_every_request_reads_the_database(post_webhook, acme, acme_basic, settings):
    settings.WEBHOOK_CREDENTIALS_CACHE_SECONDS = 0
    assert post_webhook(_payload(1), authorization=acme_basic).status_code == 200

    with _statements() as statements:
        assert post_webhook(_payload(2), authorization=acme_basic).status_code == 200
    assert statements == ["SELECT", "INSERT"]
