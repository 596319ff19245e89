"""The one place settings read the process environment.

A `.env` file in the project root (written by `make run` on first start, never committed) is
read first; real environment variables win over it.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
