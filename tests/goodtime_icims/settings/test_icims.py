"""The platform's iCIMS client secrets and the encryption keys can come from mounted files."""

from __future__ import annotations

from .support import MINIMAL_ENVIRONMENT, settings_loaded


def test_client_secrets_and_encryption_keys_can_come_from_files(tmp_path):
    (tmp_path / "client_secret").write_text("data-client-secret\n")
    (tmp_path / "writeback_secret").write_text("writeback-client-secret\n")
    (tmp_path / "keys").write_text("first-key,second-key\n")
    environment = {
        **MINIMAL_ENVIRONMENT,
        "ICIMS_PLATFORM_CLIENT_SECRET_FILE": str(tmp_path / "client_secret"),
        "ICIMS_PLATFORM_WRITEBACK_CLIENT_SECRET_FILE": str(tmp_path / "writeback_secret"),
        "FIELD_ENCRYPTION_KEYS_FILE": str(tmp_path / "keys"),
    }
    loaded, process = settings_loaded(
        environment,
        "ICIMS_PLATFORM_CLIENT_SECRET",
        "ICIMS_PLATFORM_WRITEBACK_CLIENT_SECRET",
        "FIELD_ENCRYPTION_KEYS",
        cwd=tmp_path,
    )
    assert loaded == {
        "ICIMS_PLATFORM_CLIENT_SECRET": "data-client-secret",
        "ICIMS_PLATFORM_WRITEBACK_CLIENT_SECRET": "writeback-client-secret",
        "FIELD_ENCRYPTION_KEYS": ["first-key", "second-key"],
    }, process.stderr
