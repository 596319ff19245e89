"""A stored secret that no configured key decrypts, as a key dropped from FIELD_ENCRYPTION_KEYS or a bad
restore leaves it: written straight into the column, since the field itself would encrypt it."""

from __future__ import annotations

from django.db import connection as db_connection

from integrations.models import Connection

NOT_A_TOKEN_ANY_KEY_DECRYPTS = "gAAAAABnot-a-token-any-key-decrypts"


def secret_no_key_decrypts(connection: Connection, *, field: str = "client_secret") -> None:
    column = Connection._meta.get_field(field).column
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Connection._meta.db_table} SET {column} = %s WHERE id = %s",
            [NOT_A_TOKEN_ANY_KEY_DECRYPTS, connection.pk],
        )
