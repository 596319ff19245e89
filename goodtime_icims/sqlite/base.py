"""Django's SQLite backend, creating the database file's folder when it first connects.

The embedded profile keeps its database in `VAR_DIR`, which a fresh clone does not have. Settings
never write to disk at import, so the folder is made here, by whichever process opens the file
first (`migrate`, the web server, the worker).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        database = str(conn_params["database"])
        # ":memory:" and "file:" URIs (the test databases) name no folder of ours.
        if database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
