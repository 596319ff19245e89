"""The one place settings read the process environment.

A `.env` file in the project root (written by `make run` on first start, never committed) is
read first; real environment variables win over it. `ENV_FILE` names another file, or none when
empty: the test settings set it empty, so a developer's `.env` never changes what tests see.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
_env_file = os.environ.get("ENV_FILE", str(BASE_DIR / ".env"))
if _env_file:
    environ.Env.read_env(_env_file, overwrite=False)
