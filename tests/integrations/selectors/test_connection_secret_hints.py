"""At most the last four characters of a stored secret are ever shown."""

from __future__ import annotations

import pytest

from integrations.models import Connection
from integrations.selectors.connection_secret_hints import connection_secret_hint


def test_a_stored_secret_shows_its_last_four_characters(connection):
    assert connection_secret_hint(connection=connection, field="client_secret") == "••••1234"


def test_a_short_secret_shows_only_that_it_is_set():
    connection = Connection(webhook_password="short-5678")

    assert connection_secret_hint(connection=connection, field="webhook_password") == "••••"


def test_a_missing_secret_shows_nothing():
    assert connection_secret_hint(connection=Connection(), field="webhook_hmac_key") == ""


def test_only_secret_fields_have_hints(connection):
    with pytest.raises(ValueError, match="client_id"):
        connection_secret_hint(connection=connection, field="client_id")
