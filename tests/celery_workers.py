"""Real Celery workers for the tests that are about them (marker `celery_worker`): started from the
Procfiles' own commands, on PostgreSQL and a real broker, stopped (and their logs closed) afterwards.

Loaded as a pytest plugin by tests/conftest.py. Skipped unless REDIS_URL is set and the database is
PostgreSQL: a worker is another process, so it needs a broker and a database both processes reach.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection as db_connection

from integrations.models import Connection, Stage
from integrations.sandbox import SandboxTenant
from integrations.sandbox.wsgi import serve_in_thread
from tests.integrations.conftest import TRIGGER, WORKFLOW_ID

ROOT = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 30


def procfile_command(process: str, *, procfile: str = "Procfile", env: dict[str, str]) -> list[str]:
    """The command a Procfile gives `process`, with ${VAR:-default} expanded from `env` and this
    interpreter's `celery` in place of the one on the PATH (or in .venv)."""
    lines = dict(
        line.split(":", 1) for line in (ROOT / procfile).read_text().splitlines() if line and not line.startswith("#")
    )
    command = re.sub(
        r"\$\{(\w+)(?::-([^}]*))?\}", lambda m: env.get(m.group(1)) or (m.group(2) or ""), lines[process].strip()
    )
    words = shlex.split(command)
    assert words[0].endswith("celery"), f"{procfile} {process} does not start a celery worker: {command}"
    return [sys.executable, "-m", "celery", *words[1:]]


def wait_for(condition, *, what: str, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"Gave up after {seconds}s waiting for {what}")


def free_port(*, low: int = 0, high: int = 0) -> int:
    """A port nobody listens on: any (the OS picks) or one in [low, high]."""
    for port in range(low, high + 1) if low else [0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError(f"no free port in {low}-{high}")


@pytest.fixture
def worker_environment(transactional_db):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("a real worker needs a broker: set REDIS_URL")
    if db_connection.vendor != "postgresql":
        pytest.skip("a real worker is another process: it needs PostgreSQL, not the test's SQLite database")
    database = settings.DATABASES["default"]
    credentials = quote(database["USER"] or "") + (f":{quote(database['PASSWORD'])}" if database["PASSWORD"] else "")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
        f"{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "ICIMS_READ_TIMEOUT": "10",
    }


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self) -> None:
        wait_for(lambda: " ready." in self.log or self.process.poll() is not None, what="the worker to start")
        assert self.process.poll() is None, f"the worker exited:\n{self.log[-3000:]}"


@pytest.fixture
def start_worker(worker_environment, tmp_path):
    """start_worker(process, procfile=..., **env): the Procfile's worker, on the test database."""
    workers: list[tuple[Worker, object]] = []

    def start(process: str = "worker-urgent", *, procfile: str = "Procfile", **env: str) -> Worker:
        environment = {**worker_environment, **env}
        command = procfile_command(process, procfile=procfile, env=environment)
        log_path = tmp_path / f"{process}-{len(workers)}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed with the worker
        worker = Worker(
            subprocess.Popen(
                [*command, "-n", f"{process}-{len(workers)}@%h"],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a prefork pool's children go with it
            ),
            log_path,
        )
        workers.append((worker, log))
        return worker

    yield start
    for worker, log in workers:
        process = worker.process
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


@pytest.fixture
def served_sandbox():
    tenant = SandboxTenant.seeded(candidates=300, users=20, jobs=40, workflows=400, seed=7)
    tenant.change_status(int(WORKFLOW_ID), TRIGGER, notify=False)
    server = serve_in_thread(tenant)
    yield tenant
    server.shutdown()
    server.server_close()


@pytest.fixture
def live_connection(served_sandbox):
    connection = Connection.objects.create(
        name="Sandbox over HTTP",
        customer_id="1000",
        stream_id="sandbox-stream",
        api_url_override=served_sandbox.base_url,
        token_url_override=f"{served_sandbox.base_url}/oauth/token",
        stream_url_override=f"{served_sandbox.base_url}/datastream/v2",
        credential_mode=Connection.CredentialMode.CUSTOMER,
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        webhook_username="icims-sandbox",
        webhook_password="sandbox-webhook-password",
    )
    Stage.objects.create(
        connection=connection,
        bin="Interview",
        status="First Interview - Schedule",
        status_id=TRIGGER,
        triggers_scheduling=True,
    )
    return connection


class SilentHost:
    """An iCIMS host that accepts connections and never answers: the worst kind of unreachable."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True, name="silent-host").start()

    def _accept(self) -> None:
        self.server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                self.held.append(self.server.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        for held in self.held:
            held.close()
        self.server.close()


@pytest.fixture
def silent_host():
    host = SilentHost()
    yield host
    host.close()
