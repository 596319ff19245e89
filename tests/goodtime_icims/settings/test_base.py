"""Django core settings as a deployment sets them: strict booleans, secrets from files, no disk writes."""

from __future__ import annotations

from .support import MINIMAL_ENVIRONMENT, settings_loaded


def test_a_misspelt_boolean_stops_the_process_naming_the_variable_and_the_value(tmp_path):
    loaded, process = settings_loaded({**MINIMAL_ENVIRONMENT, "SECURE_SSL_REDIRECT": "flase"}, cwd=tmp_path)
    assert loaded is None
    assert "ImproperlyConfigured: SECURE_SSL_REDIRECT='flase' is not a boolean" in process.stderr


def test_every_boolean_setting_is_read_strictly(tmp_path):
    for variable in ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        loaded, process = settings_loaded({**MINIMAL_ENVIRONMENT, variable: "maybe"}, cwd=tmp_path)
        assert loaded is None, variable
        assert f"{variable}='maybe' is not a boolean" in process.stderr


def test_boolean_spellings_set_the_https_hardening(tmp_path):
    environment = {**MINIMAL_ENVIRONMENT, "DEBUG": "no", "SECURE_SSL_REDIRECT": "Off", "CSRF_COOKIE_SECURE": "0"}
    loaded, _ = settings_loaded(
        environment, "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", cwd=tmp_path
    )
    assert loaded == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": True,  # not set: on unless DEBUG
        "CSRF_COOKIE_SECURE": False,
    }


def test_the_secret_key_database_and_redis_urls_can_come_from_files(tmp_path):
    (tmp_path / "secret_key").write_text("key-from-a-mounted-file\n")
    (tmp_path / "database_url").write_text("postgres://portal:pw@db.internal:5432/portal\n")
    (tmp_path / "redis_url").write_text("redis://cache.internal:6379/0\n")
    environment = {
        **MINIMAL_ENVIRONMENT,
        "SECRET_KEY": "",
        "SECRET_KEY_FILE": str(tmp_path / "secret_key"),
        "DATABASE_URL_FILE": str(tmp_path / "database_url"),
        "REDIS_URL_FILE": str(tmp_path / "redis_url"),
    }
    loaded, process = settings_loaded(environment, "SECRET_KEY", "DATABASES", "REDIS_URL", cwd=tmp_path)
    assert loaded is not None, process.stderr
    assert loaded["SECRET_KEY"] == "key-from-a-mounted-file"
    assert loaded["DATABASES"]["default"]["HOST"] == "db.internal"
    assert loaded["DATABASES"]["default"]["PASSWORD"] == "pw"
    assert loaded["REDIS_URL"] == "redis://cache.internal:6379/0"


def test_an_unreadable_secret_file_stops_the_process_naming_it(tmp_path):
    environment = {**MINIMAL_ENVIRONMENT, "SECRET_KEY_FILE": str(tmp_path / "not-mounted")}
    loaded, process = settings_loaded(environment, cwd=tmp_path)
    assert loaded is None
    assert f"SECRET_KEY_FILE={tmp_path / 'not-mounted'}: cannot read the file" in process.stderr


def test_loading_the_settings_writes_nothing_to_disk(tmp_path):
    var_dir = tmp_path / "var"
    # REDIS_URL: the filesystem broker's folders are the worker's business, not this module's.
    environment = {**MINIMAL_ENVIRONMENT, "VAR_DIR": str(var_dir), "REDIS_URL": "redis://127.0.0.1:1/0"}
    loaded, process = settings_loaded(environment, "VAR_DIR", "DATABASES", cwd=tmp_path)
    assert loaded is not None, process.stderr
    assert loaded["VAR_DIR"] == str(var_dir)
    assert loaded["DATABASES"]["default"]["NAME"] == str(var_dir / "portal.sqlite3")
    assert not var_dir.exists()


def test_on_postgresql_the_webhook_insert_may_be_prepared_unless_a_pooler_forbids_it(tmp_path):
    database = {**MINIMAL_ENVIRONMENT, "DATABASE_URL": "postgres://portal:pw@db.internal:5432/portal"}

    def prepare_threshold(**environment) -> object:
        loaded, process = settings_loaded({**database, **environment}, "DATABASES", cwd=tmp_path)
        assert loaded is not None, process.stderr
        return loaded["DATABASES"]["default"]["OPTIONS"]["prepare_threshold"]

    assert prepare_threshold() == 5
    assert prepare_threshold(DATABASE_PREPARED_STATEMENTS="False") is None  # PgBouncer < 1.21, transaction mode
    sqlite, process = settings_loaded(MINIMAL_ENVIRONMENT, "DATABASES", cwd=tmp_path)
    assert "prepare_threshold" not in sqlite["DATABASES"]["default"].get("OPTIONS", {}), process.stderr
