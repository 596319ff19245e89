"""Tenants are walled: every API query starts from the connections the caller's token may see.

Another tenant's objects answer 404, exactly like objects that do not exist, so a token cannot even
learn which connections or ids exist elsewhere.
"""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound

from integrations.models import Connection
from integrations.services.api_tokens import api_token_connections

# Ids in URLs are bounded so a huge number gets a 404, not a database overflow.
ID_PATTERN = "[0-9]{1,18}"
# The largest id a query parameter may name: the database's bigint.
MAX_ID = 2**63 - 1
# Route prefixes of what sits under a connection (a mirror record, a live lookup): the tenant is in the path.
CONNECTION = rf"connections/(?P<connection_id>{ID_PATTERN})"
RECORD = rf"(?P<icims_id>{ID_PATTERN})"


def visible_connections(request) -> QuerySet[Connection]:
    return api_token_connections(token=request.auth)


def visible_connection(request, connection_id: int | str) -> Connection:
    connection = visible_connections(request).filter(pk=int(connection_id)).first()
    if connection is None:
        raise NotFound("No such connection.")
    return connection


class ConnectionScoped:
    """For views under /connections/{connection_id}/: `self.connection` is the caller's, or the view 404s."""

    _connection: Connection | None = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            self._connection = visible_connection(self.request, self.kwargs["connection_id"])
        return self._connection
