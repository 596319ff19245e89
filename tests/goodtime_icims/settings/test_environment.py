"""The environment reader: booleans that refuse typos, and any variable from a `NAME_FILE`."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from goodtime_icims.settings.environment import PortalEnv


@pytest.mark.parametrize("spelling", ["true", "True", "TRUE", "1", "yes", "Yes", "on", "ON", " true "])
def test_true_spellings_read_as_true(spelling):
    assert PortalEnv({"DEBUG": spelling}).bool("DEBUG", default=False) is True


@pytest.mark.parametrize("spelling", ["false", "False", "FALSE", "0", "no", "NO", "off", "Off"])
def test_false_spellings_read_as_false(spelling):
    assert PortalEnv({"DEBUG": spelling}).bool("DEBUG", default=True) is False


@pytest.mark.parametrize("typo", ["flase", "ture", "2", "y", "enabled", ""])
def test_anything_else_is_refused_naming_the_variable_and_the_value(typo):
    with pytest.raises(ImproperlyConfigured) as refused:
        PortalEnv({"SECURE_SSL_REDIRECT": typo}).bool("SECURE_SSL_REDIRECT", default=True)
    assert f"SECURE_SSL_REDIRECT={typo!r}" in str(refused.value)
    assert "true/false" in str(refused.value)


def test_an_unset_boolean_takes_its_default():
    assert PortalEnv({}).bool("SECURE_SSL_REDIRECT", default=True) is True
    assert PortalEnv({}).bool("SECURE_SSL_REDIRECT", default=False) is False


def test_an_unset_boolean_without_a_default_is_refused():
    with pytest.raises(ImproperlyConfigured, match="SECURE_SSL_REDIRECT"):
        PortalEnv({}).bool("SECURE_SSL_REDIRECT")


def test_a_value_comes_from_the_file_named_by_name_file_without_its_trailing_newline(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("s3cr3t value\n")
    assert PortalEnv({"SECRET_KEY_FILE": str(secret)}).str("SECRET_KEY", default="") == "s3cr3t value"


def test_the_file_wins_over_the_variable_itself(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("from-the-file")
    env = PortalEnv({"SECRET_KEY_FILE": str(secret), "SECRET_KEY": "from-the-environment"})
    assert env.str("SECRET_KEY", default="") == "from-the-file"


def test_a_missing_file_is_refused_naming_the_file_variable(tmp_path):
    missing = tmp_path / "not-there"
    with pytest.raises(ImproperlyConfigured) as refused:
        PortalEnv({"SECRET_KEY_FILE": str(missing)}).str("SECRET_KEY", default="")
    assert f"SECRET_KEY_FILE={missing}" in str(refused.value)


def test_typed_readers_read_files_too(tmp_path):
    (tmp_path / "db").write_text("postgres://portal:pw@db.internal:5432/portal\n")
    (tmp_path / "keys").write_text("key-one,key-two\n")
    (tmp_path / "redirect").write_text("off\n")
    env = PortalEnv(
        {
            "DATABASE_URL_FILE": str(tmp_path / "db"),
            "FIELD_ENCRYPTION_KEYS_FILE": str(tmp_path / "keys"),
            "SECURE_SSL_REDIRECT_FILE": str(tmp_path / "redirect"),
        }
    )
    database = env.db("DATABASE_URL")
    assert (database["HOST"], database["NAME"], database["PASSWORD"]) == ("db.internal", "portal", "pw")
    assert env.list("FIELD_ENCRYPTION_KEYS", default=[]) == ["key-one", "key-two"]
    assert env.bool("SECURE_SSL_REDIRECT", default=True) is False
