"""The webhook processes refuse admin work; the admin runs in its own gunicorn (Procfile)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.conftest import force_login_verified

PROCFILE = Path(__file__).resolve().parents[2] / "Procfile"


def procfile_commands() -> dict[str, list[str]]:
    lines = (line.split(":", 1) for line in PROCFILE.read_text().splitlines() if line.strip())
    return {name.strip(): shlex.split(command) for name, command in lines}


@pytest.mark.django_db
def test_a_webhook_process_refuses_admin_pages_at_once(client, settings, superadmin):
    settings.WEB_SERVES_ADMIN = False
    force_login_verified(client, superadmin)

    response = client.get("/admin/integrations/connection/")

    assert response.status_code == 421
    assert b"served by the admin processes" in response.content
    assert client.get("/health/live/").status_code == 200


@pytest.mark.django_db
def test_the_admin_process_serves_the_admin(client, superadmin):
    force_login_verified(client, superadmin)

    assert client.get("/admin/integrations/connection/").status_code == 200


def test_the_production_procfile_runs_the_admin_in_its_own_gunicorn():
    commands = procfile_commands()

    assert commands["web"][:2] == ["WEB_SERVES_ADMIN=False", "gunicorn"]
    assert commands["admin"][0] == "gunicorn"
    assert not any(word.startswith("WEB_SERVES_ADMIN") for word in commands["admin"])
