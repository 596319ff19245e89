"""The SQLite backend makes its database's folder, so a fresh clone needs no `mkdir` before `migrate`."""

from __future__ import annotations

import pytest
from django.db import connection as db_connection
from django.db.utils import ConnectionHandler


def test_the_first_connection_creates_the_missing_folder_and_the_database(tmp_path, django_db_blocker):
    database = tmp_path / "var" / "nested" / "portal.sqlite3"
    connections = ConnectionHandler({"default": {"ENGINE": "goodtime_icims.sqlite", "NAME": str(database)}})
    try:
        with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
            cursor.execute("CREATE TABLE probe (id integer)")
    finally:
        connections.close_all()
    assert database.is_file()


def test_the_backend_is_still_sqlite_to_the_rest_of_django(tmp_path):
    connections = ConnectionHandler({"default": {"ENGINE": "goodtime_icims.sqlite", "NAME": str(tmp_path / "x.db")}})
    assert connections["default"].vendor == "sqlite"


@pytest.mark.django_db
def test_the_suite_runs_on_an_in_memory_database_not_a_file():
    if db_connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert db_connection.settings_dict["NAME"].startswith("file:memorydb_")
