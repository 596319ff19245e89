"""What the benchmarks that run a real urgent worker share: the environment it needs, and the worker itself."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker_environment(**settings: str) -> dict[str, str]:
    """This process's environment for the benchmark's own processes: PostgreSQL and a Redis database of the
    benchmark's own required (the worker is another process, and its broker), throw-away secrets where none
    are set, production settings with DEBUG off, and `settings` on top."""
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the benchmark is about PostgreSQL).")
    if not env.get("REDIS_URL"):
        sys.exit("Set REDIS_URL to a Redis database of the benchmark's own (the worker's broker).")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if "FIELD_ENCRYPTION_KEYS" not in env:
        from cryptography.fernet import Fernet

        env["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    env.update({"DJANGO_SETTINGS_MODULE": "benchmarks.settings", "DEBUG": "False", "LOG_LEVEL": "WARNING", **settings})
    return env


def urgent_worker_start(env: dict[str, str], *, concurrency: int, nice: int = 0) -> subprocess.Popen:
    """The Procfile's urgent worker (its listener included), with `concurrency` processes, at `nice` priority."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker-urgent:"))
    words = line.split(":", 1)[1].replace("${URGENT_CONCURRENCY:-4}", str(concurrency)).split()
    assert words[0] == "celery", line
    return subprocess.Popen(
        [sys.executable, "-m", *words[:-2], "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,  # only os.nice, before the exec
    )
