"""The same tenant served over real HTTP on a loopback port, with its small control API."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from integrations.sandbox import SandboxTenant
from integrations.sandbox.clock import SandboxClock
from integrations.sandbox.webhooks import WebhookTarget
from integrations.sandbox.wsgi import serve_in_thread

from .conftest import START


@pytest.fixture
def served():
    tenant = SandboxTenant.seeded(candidates=50, users=5, jobs=5, workflows=20, seed=3, clock=SandboxClock(START))
    server = serve_in_thread(tenant, port=0)
    yield tenant, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def portal():
    """A real HTTP endpoint standing in for the portal's webhook URL; it keeps what it receives."""
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v2/ats/webhook/icims", received
    server.shutdown()
    server.server_close()


def _token(base_url: str) -> str:
    return requests.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "sandbox-client", "client_secret": "sandbox-secret"},
        timeout=5,
    ).json()["access_token"]


def test_the_served_sandbox_answers_real_http_requests_with_the_dev_credentials(served):
    tenant, base_url = served
    headers = {"Authorization": f"Bearer {_token(base_url)}"}

    person = requests.get(f"{base_url}/customers/1000/people/7?fields=firstname", headers=headers, timeout=5)
    found = requests.post(
        f"{base_url}/customers/1000/search/jobs?staleness=0",
        headers=headers,
        timeout=5,
        json={"filters": [{"name": "job.id", "value": ["1001"]}]},
    )

    assert person.status_code == 200
    assert person.json()["firstname"] == tenant.people[7].firstname
    assert person.json()["links"][0]["url"] == f"{base_url}/customers/1000/people/7"
    assert int(person.headers["x-ratelimit-remaining"]) == 9999
    assert found.json()["searchResults"] == [{"id": 1001, "self": f"{base_url}/customers/1000/jobs/1001"}]
    assert requests.get(f"{base_url}/customers/1000/people/7", timeout=5).status_code == 401


def test_the_served_sandbox_exports_bins_and_statuses_as_csv(served):
    _, base_url = served

    response = requests.get(f"{base_url}/sandbox/export/bins-and-statuses.csv", timeout=5)

    lines = response.text.splitlines()
    assert response.headers["Content-Type"].startswith("text/csv")
    assert lines[0] == "Bin,Status,Status ID"
    assert "Interview,First Interview - Schedule,C51218" in lines
    assert "New Submissions,New Submissions - External Portal,D10100" in lines


def test_the_control_api_advances_the_clock(served):
    tenant, base_url = served

    response = requests.post(f"{base_url}/sandbox/clock/advance", json={"minutes": 7}, timeout=5)
    refused = requests.post(f"{base_url}/sandbox/clock/advance", json={"minutes": -1}, timeout=5)

    assert response.json()["now"] == "2026-11-26T18:07:00+00:00"
    assert refused.status_code == 400
    assert tenant.clock.now().minute == 7


def test_the_control_api_moves_a_candidate_and_the_portal_receives_the_webhook(served, portal):
    tenant, base_url = served
    portal_url, received = portal
    tenant.webhook = WebhookTarget(url=portal_url, auth="basic")

    response = requests.post(f"{base_url}/sandbox/workflows/10001/status", json={"statusId": "C51218"}, timeout=5)
    unknown = requests.post(f"{base_url}/sandbox/workflows/10001/status", json={"statusId": "C0"}, timeout=5)

    assert response.json()["status"]["id"] == "C51218"
    assert unknown.status_code == 400
    headers, body = received[0]
    assert headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(body))["systemId"] == "10001"
    assert len(received) == 1


def test_an_injected_timeout_makes_the_served_sandbox_answer_too_late(served):
    tenant, base_url = served
    tenant.faults.inject("timeout", seconds=0.5)

    with pytest.raises(requests.exceptions.Timeout):
        requests.get(f"{base_url}/customers/1000", timeout=0.1)
