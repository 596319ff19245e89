"""Load the real settings in a fresh interpreter with exactly the environment a test gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from goodtime_icims.settings.environment import BASE_DIR

MINIMAL_ENVIRONMENT = {
    "ENV_FILE": "",  # a developer's .env must not leak in
    "SECRET_KEY": "settings-test-secret-key",
    "FIELD_ENCRYPTION_KEYS": "2qHunfX2ua5PO0ZC8CiZpQJbcIi1ub29L0czcqFr2t4=",
}

_PRINT_SETTINGS = """
import json, sys
from goodtime_icims import settings
print(json.dumps({name: getattr(settings, name) for name in sys.argv[1:]}, default=str))
"""


def settings_loaded(
    environment: dict[str, str], *names: str, cwd: Path
) -> tuple[dict[str, object] | None, subprocess.CompletedProcess]:
    """The named settings as loaded with `environment` (None when loading failed), and the process."""
    process = subprocess.run(
        [sys.executable, "-c", _PRINT_SETTINGS, *names],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(BASE_DIR), **environment},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    loaded = json.loads(process.stdout) if process.returncode == 0 else None
    return loaded, process
