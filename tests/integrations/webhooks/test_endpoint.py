"""`POST /v2/ats/webhook/icims`: what iCIMS gets back, and what is stored, for each kind of request."""

from __future__ import annotations

import base64
import gzip
import json
from datetime import timedelta

import pytest
import responses
from django.db import OperationalError
from django.db import connection as db_connection
from django.test import Client
from django.utils import timezone

from integrations.icims.hmac_signing import signed_headers_for
from integrations.models import WebhookEvent
from integrations.services.webhook_event_types import EVENT_TYPES
from tests.fixtures.icims import icims_fixture

from .conftest import ACME_PASSWORD, GLOBEX_KEY, GLOBEX_PREVIOUS_KEY, basic_authorization, fixture_payload
from .through_gunicorn import chunked, post_through_gunicorn

ONE_MB = 1024 * 1024


def connections_for_another_process():
    """A second connection to the test database, as another process would hold."""
    from django.db import connections

    return connections.create_connection("default")


def _for_globex(payload: dict) -> dict:
    return {**payload, "customerId": "3100"}


def _assert_vendor_error(response, status: int):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["userMessage"]
    assert body["error"]["debugErrorMessage"]
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_every_event_type_is_stored_with_basic_auth(post_webhook, acme, acme_basic, event_type, gzipped):
    response = post_webhook(fixture_payload(event_type), authorization=acme_basic, gzipped=gzipped)

    assert response.status_code == 200, response.content
    event = WebhookEvent.objects.get()
    assert event.connection == acme
    assert event.event_type == event_type
    assert event.customer_id == "2187"
    assert event.payload == fixture_payload(event_type)
    assert event.headers["Authorization"] == "[redacted]"
    assert ACME_PASSWORD not in str(event.headers)
    assert acme_basic.split()[1] not in str(event.headers)


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("event_type", list(EVENT_TYPES))
def test_every_event_type_is_stored_with_hmac(post_webhook, globex, event_type, gzipped):
    response = post_webhook(_for_globex(fixture_payload(event_type)), hmac_key=GLOBEX_KEY, gzipped=gzipped)

    assert response.status_code == 200, response.content
    event = WebhookEvent.objects.get()
    assert event.connection == globex
    assert event.event_type == event_type
    assert event.headers["Authorization"] == "[redacted]"
    assert event.headers["X-Icims-Date"]  # not a secret: kept for the record


def test_a_status_change_is_indexed_and_waits_for_a_worker(post_webhook, acme, acme_basic):
    post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic, gzipped=True)

    event = WebhookEvent.objects.get()
    assert (event.system_id, event.person_id, event.job_id, event.user_id) == ("13437", "8986", "4442", "9059")
    assert (event.old_status, event.new_status) == ("1753", "20786")
    assert event.state == WebhookEvent.State.RECEIVED


def test_a_cookie_is_never_stored(post_webhook, client, acme, acme_basic):
    client.cookies["sessionid"] = "session-secret-value"
    post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic)

    event = WebhookEvent.objects.get()
    assert event.headers["Cookie"] == "[redacted]"
    assert "session-secret-value" not in str(event.headers)


def test_a_duplicate_gets_200_and_is_stored_once(post_webhook, acme, acme_basic):
    first = post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic, gzipped=True)
    again = post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    assert WebhookEvent.objects.count() == 1


def test_the_same_move_for_another_candidate_is_not_a_duplicate(post_webhook, acme, acme_basic):
    post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic)
    post_webhook({**fixture_payload("WorkFlowStatusChangeEvent"), "systemId": "13438"}, authorization=acme_basic)

    assert WebhookEvent.objects.count() == 2


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        basic_authorization("icims-acme", "wrong-password"),
        basic_authorization("nobody", ACME_PASSWORD),
        basic_authorization("", ""),
        "Basic not-base64!!",
        "Basic " + base64.b64encode(b"no-colon").decode(),
        "Bearer some-token",
    ],
    ids=["missing", "empty", "wrong-password", "unknown-user", "blank", "not-base64", "no-colon", "bearer"],
)
def test_wrong_or_missing_credentials_get_401_and_store_nothing(post_webhook, acme, authorization):
    response = post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=authorization)

    _assert_vendor_error(response, 401)
    assert WebhookEvent.objects.count() == 0


def test_a_bare_token_is_neither_echoed_nor_logged(post_webhook, acme, caplog):
    caplog.set_level("DEBUG")
    response = post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization="sk_live_bare_token_123")

    _assert_vendor_error(response, 401)
    assert "sk_live_bare_token_123" not in response.content.decode()
    assert "sk_live_bare_token_123" not in caplog.text


def test_a_basic_password_does_not_open_an_hmac_connection(post_webhook, globex):
    response = post_webhook(
        _for_globex(fixture_payload("WorkFlowStatusChangeEvent")),
        authorization=basic_authorization("icims-globex", GLOBEX_KEY),
    )

    _assert_vendor_error(response, 401)
    assert WebhookEvent.objects.count() == 0


def test_a_changed_password_takes_effect_on_the_next_event(post_webhook, acme, acme_basic):
    assert post_webhook(fixture_payload("JobPostToWebEvent"), authorization=acme_basic).status_code == 200
    acme.webhook_password = "acme-webhook-password-rotated"
    acme.save()

    old = post_webhook({**fixture_payload("JobPostToWebEvent"), "jobId": "2"}, authorization=acme_basic)
    new = post_webhook(
        {**fixture_payload("JobPostToWebEvent"), "jobId": "3"},
        authorization=basic_authorization("icims-acme", "acme-webhook-password-rotated"),
    )

    _assert_vendor_error(old, 401)
    assert new.status_code == 200


def test_a_connection_without_a_password_accepts_no_basic_event(post_webhook, acme):
    acme.webhook_password = ""
    acme.save()

    response = post_webhook(
        fixture_payload("WorkFlowStatusChangeEvent"), authorization=basic_authorization("icims-acme", "")
    )

    _assert_vendor_error(response, 401)


def test_an_event_naming_another_tenants_customer_is_refused_and_nothing_is_stored(
    post_webhook, acme, acme_basic, globex
):
    response = post_webhook(_for_globex(fixture_payload("WorkFlowStatusChangeEvent")), authorization=acme_basic)

    _assert_vendor_error(response, 403)
    assert WebhookEvent.objects.count() == 0
    globex.refresh_from_db()
    acme.refresh_from_db()
    assert globex.webhook_first_seen_at is None
    assert acme.webhook_first_seen_at is None


def test_hmac_signed_with_the_previous_key_is_accepted_during_a_rotation(post_webhook, globex):
    response = post_webhook(_for_globex(fixture_payload("WorkFlowStatusChangeEvent")), hmac_key=GLOBEX_PREVIOUS_KEY)

    assert response.status_code == 200
    assert WebhookEvent.objects.filter(connection=globex).count() == 1


def test_hmac_with_an_old_date_is_refused_as_a_replay(post_webhook, globex):
    response = post_webhook(
        _for_globex(fixture_payload("WorkFlowStatusChangeEvent")),
        hmac_key=GLOBEX_KEY,
        signed_at=timezone.now() - timedelta(minutes=6),
    )

    _assert_vendor_error(response, 401)
    assert WebhookEvent.objects.count() == 0


def test_hmac_from_the_future_is_refused_too(post_webhook, globex):
    response = post_webhook(
        _for_globex(fixture_payload("WorkFlowStatusChangeEvent")),
        hmac_key=GLOBEX_KEY,
        signed_at=timezone.now() + timedelta(minutes=6),
    )

    _assert_vendor_error(response, 401)


@pytest.mark.parametrize(
    "key, user", [("not-the-key", "icims-globex"), (GLOBEX_KEY, "icims-nobody")], ids=["wrong-key", "unknown-user"]
)
def test_hmac_with_a_wrong_key_or_user_gets_401(post_webhook, globex, key, user):
    response = post_webhook(_for_globex(fixture_payload("WorkFlowStatusChangeEvent")), hmac_key=key, hmac_user=user)

    _assert_vendor_error(response, 401)
    assert WebhookEvent.objects.count() == 0


def test_hmac_over_a_body_changed_in_transit_gets_401(client, globex):
    body = json.dumps(_for_globex(fixture_payload("WorkFlowStatusChangeEvent"))).encode()
    signed = signed_headers_for(
        key=GLOBEX_KEY,
        user="icims-globex",
        method="POST",
        host="testserver",
        path="/v2/ats/webhook/icims",
        query="",
        body=body,
        content_type="application/json",
        now=timezone.now(),
    )
    response = client.generic(
        "POST",
        "/v2/ats/webhook/icims",
        body.replace(b"13437", b"13438"),
        content_type="application/json",
        HTTP_HOST="testserver",
        HTTP_X_ICIMS_DATE=signed["x-icims-date"],
        HTTP_X_ICIMS_CONTENT_SHA256=signed["x-icims-content-sha256"],
        HTTP_AUTHORIZATION=signed["authorization"],
    )

    _assert_vendor_error(response, 401)


@pytest.mark.parametrize(
    "body, gzipped",
    [
        (b"{not json", False),
        (b"{not json", True),
        (b"[1, 2, 3]", False),
        (b'"a string"', True),
        (b'{"customerId": "2187"}', False),
        (b'{"eventType": "WorkFlowStatusChangeEvent"}', False),
        (b'{"eventType": {"nested": 1}, "customerId": "2187"}', False),
        (b'{"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187", "x": NaN}', False),
        (b'{"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187", "x": 1e999}', False),
        (b'{"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187", "x": "\\u0000"}', False),
        (b'{"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187", "x": "\\ud800"}', False),
        (b"\xff\xfe not utf-8", False),
        (b"", False),
    ],
    ids=[
        "not-json",
        "gzip-not-json",
        "array",
        "string",
        "no-event-type",
        "no-customer-id",
        "object-event-type",
        "nan",
        "infinite",
        "nul",
        "lone-surrogate",
        "not-utf8",
        "empty",
    ],
)
def test_a_malformed_body_gets_400_and_stores_nothing(post_webhook, acme, acme_basic, body, gzipped):
    response = post_webhook(body, authorization=acme_basic, gzipped=gzipped)

    _assert_vendor_error(response, 400)
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        b"\x1f\x8bnot really gzip",
        b"plain bytes that claim gzip",
        gzip.compress(b'{"eventType": "x", "customerId": "2187"}')[:-6],
    ],
    ids=["bad-header", "not-gzip", "truncated"],
)
def test_a_bad_gzip_body_gets_400(post_webhook, acme, acme_basic, body):
    response = post_webhook(body, authorization=acme_basic, content_encoding="gzip")

    _assert_vendor_error(response, 400)
    assert WebhookEvent.objects.count() == 0


def test_an_unsupported_content_encoding_gets_400(post_webhook, acme, acme_basic):
    response = post_webhook(
        fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic, content_encoding="br"
    )

    _assert_vendor_error(response, 400)


def test_a_body_over_one_megabyte_gets_413(post_webhook, acme, acme_basic):
    payload = {**fixture_payload("WorkFlowStatusChangeEvent"), "padding": "x" * ONE_MB}

    response = post_webhook(payload, authorization=acme_basic)

    _assert_vendor_error(response, 413)
    assert WebhookEvent.objects.count() == 0


def test_a_body_of_exactly_one_megabyte_is_accepted(post_webhook, acme, acme_basic):
    payload = fixture_payload("WorkFlowStatusChangeEvent")
    payload["padding"] = ""
    payload["padding"] = "x" * (ONE_MB - len(json.dumps(payload).encode()))

    response = post_webhook(payload, authorization=acme_basic)

    assert response.status_code == 200


def test_a_gzip_bomb_gets_413(post_webhook, acme, acme_basic):
    bomb = gzip.compress(
        b'{"eventType": "WorkFlowStatusChangeEvent", "customerId": "2187", "p": "' + b"0" * (50 * ONE_MB) + b'"}'
    )
    assert len(bomb) < 100_000

    response = post_webhook(bomb, authorization=acme_basic, content_encoding="gzip")

    _assert_vendor_error(response, 413)
    assert WebhookEvent.objects.count() == 0


def test_size_is_checked_before_credentials(post_webhook, acme):
    response = post_webhook(b"x" * (ONE_MB + 1))

    _assert_vendor_error(response, 413)


def test_credentials_are_checked_before_the_body_is_read(post_webhook, acme):
    response = post_webhook(b"{not json", authorization=basic_authorization("icims-acme", "wrong"))

    _assert_vendor_error(response, 401)


def test_an_unknown_event_type_is_stored_ignored_and_answered_200(post_webhook, acme, acme_basic):
    response = post_webhook(
        {**fixture_payload("WorkFlowStatusChangeEvent"), "eventType": "OnboardPortalTaskEvent"},
        authorization=acme_basic,
    )

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.IGNORED
    assert "Unknown event type OnboardPortalTaskEvent" in event.outcome


def test_a_paused_connections_event_is_stored_ignored_and_answered_200(post_webhook, acme, acme_basic):
    acme.is_active = False
    acme.save()

    response = post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic)

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.IGNORED
    assert "paused" in event.outcome


def test_the_first_event_ticks_webhook_first_seen_and_later_ones_keep_it(post_webhook, acme, acme_basic):
    assert acme.webhook_first_seen_at is None

    post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic)
    acme.refresh_from_db()
    first_seen = acme.webhook_first_seen_at
    post_webhook(fixture_payload("JobPostToWebEvent"), authorization=acme_basic)
    acme.refresh_from_db()

    assert first_seen is not None
    assert acme.webhook_first_seen_at == first_seen


def test_a_rejected_event_does_not_tick_webhook_first_seen(post_webhook, acme):
    post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=basic_authorization("icims-acme", "x"))

    acme.refresh_from_db()
    assert acme.webhook_first_seen_at is None


def test_a_database_outage_gets_503_temporary_without_a_stack_trace(post_webhook, acme, acme_basic):
    def database_down(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with db_connection.execute_wrapper(database_down):
        response = post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic)

    _assert_vendor_error(response, 503)


@pytest.mark.django_db(transaction=True)
def test_an_event_arriving_on_a_database_connection_dropped_since_the_last_one_is_stored(
    post_webhook, acme, acme_basic
):
    if db_connection.vendor != "postgresql":
        pytest.skip("a server that can drop our connection (PostgreSQL)")
    assert post_webhook({**fixture_payload("WorkFlowStatusChangeEvent"), "personId": "1"}, authorization=acme_basic)
    dropped_pid = db_connection.connection.info.backend_pid
    other = connections_for_another_process()
    try:
        with other.cursor() as cursor:  # a restart, a failover: the server hangs up on us
            cursor.execute("SELECT pg_terminate_backend(%s)", [dropped_pid])
    finally:
        other.close()

    response = post_webhook({**fixture_payload("WorkFlowStatusChangeEvent"), "personId": "2"}, authorization=acme_basic)

    assert response.status_code == 200 and response.json()["status"] == "received"
    assert db_connection.connection.info.backend_pid != dropped_pid
    assert WebhookEvent.objects.filter(person_id="2").exists()


def test_the_endpoint_needs_no_csrf_token(acme, acme_basic):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/v2/ats/webhook/icims",
        fixture_payload("WorkFlowStatusChangeEvent"),
        content_type="application/json",
        HTTP_AUTHORIZATION=acme_basic,
    )

    assert response.status_code == 200


def test_get_is_not_allowed(client):
    assert client.get("/v2/ats/webhook/icims").status_code == 405


def test_a_stored_status_change_reaches_a_worker_once_committed(
    post_webhook, acme, acme_basic, tasks_run_inline, django_capture_on_commit_callbacks
):
    with responses.RequestsMock() as icims:  # the worker reads the workflow from iCIMS
        icims.post("https://login.icims.com/oauth/token", json=icims_fixture("token"))
        icims.get(
            "https://api.icims.com/customers/2187/applicantworkflows/13437", json=icims_fixture("applicantworkflow")
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = post_webhook(fixture_payload("WorkFlowStatusChangeEvent"), authorization=acme_basic)

    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.state == WebhookEvent.State.PROCESSED
    assert event.attempts == 1


def test_outside_any_transaction_an_event_is_stored_enqueued_and_deduplicated(
    transactional_db, post_webhook, acme, acme_basic, tasks_run_inline
):
    # As in production: no transaction around the request, so the INSERT commits on its own and the
    # enqueue happens straight after it; the duplicate's IntegrityError must not break the connection.
    payload = fixture_payload("WorkFlowStatusChangeEvent")
    with responses.RequestsMock() as icims:  # the worker reads the workflow from iCIMS
        icims.post("https://login.icims.com/oauth/token", json=icims_fixture("token"))
        icims.get(
            "https://api.icims.com/customers/2187/applicantworkflows/13437", json=icims_fixture("applicantworkflow")
        )
        first = post_webhook(payload, authorization=acme_basic)
    again = post_webhook(payload, authorization=acme_basic)
    other = post_webhook({**payload, "eventType": "JobPostToWebEvent"}, authorization=acme_basic)

    assert first.json()["status"] == "received"
    assert again.json() == {"status": "duplicate", "id": first.json()["id"]}
    assert other.json()["status"] == "received"
    assert WebhookEvent.objects.count() == 2
    event = WebhookEvent.objects.get(pk=first.json()["id"])
    assert event.state == WebhookEvent.State.PROCESSED
    assert event.attempts == 1
    acme.refresh_from_db()
    assert acme.webhook_first_seen_at is not None


# -- chunked bodies (Transfer-Encoding: chunked, no Content-Length), as gunicorn hands them over ----


def _post_chunked(body: bytes, *, authorization: str, gzipped: bool):
    headers = {"Transfer-Encoding": "chunked", "Content-Type": "application/json", "Authorization": authorization}
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return post_through_gunicorn("/v2/ats/webhook/icims", headers=headers, framed_body=chunked(body))


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
def test_a_chunked_event_is_stored(acme, acme_basic, gzipped):
    payload = fixture_payload("WorkFlowStatusChangeEvent")
    body = json.dumps(payload).encode()

    response = _post_chunked(gzip.compress(body) if gzipped else body, authorization=acme_basic, gzipped=gzipped)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "received"
    assert WebhookEvent.objects.get().payload == payload


def test_a_chunked_event_signed_with_hmac_is_stored(globex):
    body = json.dumps(_for_globex(fixture_payload("WorkFlowStatusChangeEvent"))).encode()
    signed = signed_headers_for(
        key=GLOBEX_KEY,
        user="icims-globex",
        method="POST",
        host="testserver",
        path="/v2/ats/webhook/icims",
        query="",
        body=body,
        content_type="application/json",
        now=timezone.now(),
    )
    # Host and Content-Type are signed; the request line already carries the host.
    headers = {"Transfer-Encoding": "chunked", **{name: value for name, value in signed.items() if name != "host"}}

    response = post_through_gunicorn("/v2/ats/webhook/icims", headers=headers, framed_body=chunked(body))

    assert response.status_code == 200, response.content
    assert WebhookEvent.objects.get().connection == globex


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
def test_a_chunked_body_over_the_limit_gets_413(acme, acme_basic, gzipped):
    payload = {**fixture_payload("WorkFlowStatusChangeEvent"), "padding": "x" * ONE_MB}
    body = json.dumps(payload).encode()
    if gzipped:  # small on the wire, over the limit once decompressed
        body = gzip.compress(body)

    response = _post_chunked(body, authorization=acme_basic, gzipped=gzipped)

    _assert_vendor_error(response, 413)
    assert not WebhookEvent.objects.exists()


def test_an_empty_chunked_body_gets_400(acme, acme_basic):
    response = _post_chunked(b"", authorization=acme_basic, gzipped=False)

    _assert_vendor_error(response, 400)
    assert not WebhookEvent.objects.exists()
