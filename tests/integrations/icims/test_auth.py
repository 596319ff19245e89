"""OAuth tokens: one per client, shared by all workers, refreshed before expiry, one refresh at a time."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from responses import matchers

from integrations.icims.auth import authenticator_for, secret_fingerprint
from integrations.icims.config import AuthMode
from integrations.icims.errors import IcimsAuthError, IcimsConnectionError, IcimsTimeout
from tests.fixtures.icims import icims_fixture

from . import processes
from .support import CUSTOMER_URL, TOKEN_URL, config, local_state, make_client, token_provider

JOB_URL = f"{CUSTOMER_URL}/jobs/1026"
TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": "acme-client",
    "client_secret": "acme-secret-value-1234",
    "audience": "https://api.icims.com/v1/",
}


def token_body(name: str, expires_in: int = 86400) -> dict:
    return {"access_token": name, "token_type": "Bearer", "expires_in": expires_in}


def test_many_calls_make_one_token_request(state, clock, icims):
    token = icims.post(TOKEN_URL, json=icims_fixture("token"), match=[matchers.urlencoded_params_matcher(TOKEN_FORM)])
    icims.get(JOB_URL, json=icims_fixture("job"))
    client = make_client(state, clock)

    for _ in range(5):
        client.get_job(1026)

    assert token.call_count == 1


def test_a_second_worker_reuses_the_cached_token(state, clock, icims, token_endpoint):
    icims.get(JOB_URL, json=icims_fixture("job"))

    make_client(state, clock).get_job(1026)
    make_client(state, clock).get_job(1026)

    assert token_endpoint.call_count == 1


def test_the_token_is_refreshed_a_margin_before_it_expires(state, clock, icims):
    icims.post(TOKEN_URL, json=token_body("first", expires_in=3600))
    icims.post(TOKEN_URL, json=token_body("second", expires_in=3600))
    provider = token_provider(state, clock)

    assert provider.token() == "first"
    clock.advance(3600 - 301)
    assert provider.token() == "first"
    clock.advance(2)
    assert provider.token() == "second"


def test_a_401_mid_run_fetches_a_new_token_and_retries_once(state, clock, icims):
    icims.post(TOKEN_URL, json=token_body("revoked"))
    icims.post(TOKEN_URL, json=token_body("fresh"))
    icims.get(
        JOB_URL,
        status=401,
        json=icims_fixture("error_authentication_invalid"),
        match=[matchers.header_matcher({"Authorization": "Bearer revoked"})],
    )
    icims.get(JOB_URL, json=icims_fixture("job"), match=[matchers.header_matcher({"Authorization": "Bearer fresh"})])

    assert make_client(state, clock).get_job(1026)["jobid"] == "2014-1026"
    assert clock.sleeps == []


def test_a_401_with_a_fresh_token_too_fails_clearly(state, clock, icims):
    tokens = icims.post(TOKEN_URL, json=token_body("refused"))
    job = icims.get(JOB_URL, status=401, json=icims_fixture("error_authentication_invalid"))

    with pytest.raises(IcimsAuthError, match="freshly fetched token too"):
        make_client(state, clock).get_job(1026)

    assert tokens.call_count == 2
    assert job.call_count == 2


def test_a_wrong_secret_is_an_auth_error_naming_the_client_not_the_secret(state, clock, icims):
    icims.post(TOKEN_URL, status=401, json=icims_fixture("token_refused"))

    with pytest.raises(IcimsAuthError) as raised:
        token_provider(state, clock).token()

    assert "acme-client" in str(raised.value)
    assert "acme-secret-value-1234" not in str(raised.value)


def test_an_unreachable_login_server_is_a_connection_error(state, clock, icims):
    icims.post(TOKEN_URL, body=requests.exceptions.ConnectionError("name resolution failed"))

    with pytest.raises(IcimsConnectionError):
        token_provider(state, clock).token()


def test_waiting_too_long_for_another_workers_token_fetch_is_a_timeout_to_retry_not_a_refused_secret(state, clock):
    provider = token_provider(state, clock)
    state.add(provider.lock_key, "1", ttl=3600)  # another worker fetches, from a login server that does not answer

    with pytest.raises(IcimsTimeout) as raised:
        provider.token()

    assert raised.value.retryable
    assert sum(clock.sleeps) <= 31


def test_two_threads_refreshing_at_once_make_one_token_request(tmp_path, icims):
    def slow_token(request):
        time.sleep(0.2)
        return 200, {}, json.dumps(token_body("shared"))

    token = icims.add_callback("POST", TOKEN_URL, callback=slow_token)
    state = local_state(tmp_path)
    results: list[str] = []
    start_together = threading.Barrier(4)

    def worker():
        provider = token_provider(state, clock=_RealClock())
        start_together.wait(timeout=10)
        results.append(provider.token())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["shared"] * 4
    assert token.call_count == 1


class _RealClock:
    def __call__(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _CountingTokenServer(BaseHTTPRequestHandler):
    requests_seen = 0

    def do_POST(self):
        type(self).requests_seen += 1
        time.sleep(0.3)  # long enough for the other process to find the lock taken
        body = json.dumps(token_body(f"token-{type(self).requests_seen}")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.redis
def test_two_processes_refreshing_at_once_make_one_token_request(redis_state_prefix):
    redis_url, prefix = redis_state_prefix
    _CountingTokenServer.requests_seen = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CountingTokenServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token_url = f"http://127.0.0.1:{server.server_address[1]}/oauth/token"
    context = multiprocessing.get_context("spawn")
    results, start_together = context.Queue(), context.Barrier(2)
    workers = [
        context.Process(target=processes.fetch_token, args=(redis_url, prefix, token_url, start_together, results))
        for _ in range(2)
    ]
    try:
        for worker in workers:
            worker.start()
        tokens = [results.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=10)
    finally:
        server.shutdown()

    assert tokens == ["token-1", "token-1"]
    assert _CountingTokenServer.requests_seen == 1


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("oauth", "Bearer "), ("basic", "Basic "), ("hmac", "x-icims-v1-hmac-sha256 user=acme-client")],
)
def test_each_auth_mode_authenticates_its_own_way(state, clock, icims, mode, expected):
    if mode == "oauth":
        icims.post(TOKEN_URL, json=icims_fixture("token"))
    call = icims.get(JOB_URL, json=icims_fixture("job"))
    session = requests.Session()
    auth = authenticator_for(config(auth_mode=AuthMode(mode)), state=state, session=session, sleep=clock.sleep)

    make_client(state, clock, auth=auth).get_job(1026)

    assert call.calls[0].request.headers["Authorization"].startswith(expected)


def test_a_different_secret_never_uses_the_token_cached_for_the_first(state, clock, icims):
    icims.post(TOKEN_URL, json=token_body("good"))
    icims.post(TOKEN_URL, status=401, json=icims_fixture("token_refused"))
    assert token_provider(state, clock).token() == "good"

    typo = token_provider(state, clock, client_config=config(client_secret="acme-secret-value-1235"))

    with pytest.raises(IcimsAuthError):
        typo.token()


def test_the_cache_key_holds_a_keyed_fingerprint_never_the_secret(state, clock):
    secret = "acme-secret-value-1234"
    first = authenticator_for(
        config(client_secret=secret), state=state, session=requests.Session(), fingerprint_key=b"k1"
    )
    other_key = authenticator_for(
        config(client_secret=secret), state=state, session=requests.Session(), fingerprint_key=b"k2"
    )

    assert secret not in first.token_key and secret_fingerprint(secret, key=b"k1") != secret_fingerprint(
        secret, key=b"k2"
    )
    assert first.token_key != other_key.token_key


def test_a_fresh_token_is_fetched_even_when_one_is_cached(state, clock, icims):
    token = icims.post(TOKEN_URL, json=token_body("first"))
    provider = token_provider(state, clock)
    provider.token()

    assert provider.fresh_token() == "first"
    assert token.call_count == 2


def test_a_refused_fresh_token_evicts_the_cached_one(state, clock, icims):
    icims.post(TOKEN_URL, json=token_body("revoked-later"))
    icims.post(TOKEN_URL, status=401, json=icims_fixture("token_refused"))
    provider = token_provider(state, clock)
    provider.token()

    with pytest.raises(IcimsAuthError):
        provider.fresh_token()

    assert state.get(provider.token_key) is None
