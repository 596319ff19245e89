"""The Celery app: the embedded profile's folder broker is made when a process first configures Celery,
under VAR_DIR (control folder included), and importing the settings writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from celery import Celery

from goodtime_icims.celery import filesystem_broker_folders_ensure

ROOT = Path(__file__).resolve().parents[2]


def _folder_options(base: Path) -> dict:
    return {
        "data_folder_in": str(base / "queue"),
        "data_folder_out": str(base / "queue"),
        "processed_folder": str(base / "processed"),
        "control_folder": str(base / "control"),
    }


def test_the_folder_broker_gets_its_folders_when_celery_is_configured(tmp_path):
    app = Celery("folders", broker="filesystem://", set_as_current=False)
    app.conf.broker_transport_options = _folder_options(tmp_path / "celery")

    filesystem_broker_folders_ensure(sender=app)

    assert sorted(path.name for path in (tmp_path / "celery").iterdir()) == ["control", "processed", "queue"]


def test_a_redis_broker_makes_no_folder(tmp_path):
    app = Celery("redis", broker="redis://127.0.0.1:6379/0", set_as_current=False)
    app.conf.broker_transport_options = _folder_options(tmp_path / "celery")

    filesystem_broker_folders_ensure(sender=app)

    assert not (tmp_path / "celery").exists()


def test_importing_the_settings_writes_no_broker_folder_and_the_control_folder_is_under_var_dir(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    script = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.CELERY_BROKER_TRANSPORT_OPTIONS))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "VAR_DIR": str(var),
            "REDIS_URL": "",
            "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        },
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert str(var / "celery" / "control") in out
    assert not (var / "celery").exists() and not (tmp_path / "control").exists()
