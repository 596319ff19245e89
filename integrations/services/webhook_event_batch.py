"""What the webhook events a worker processes together share, so each costs only its own work.

One iCIMS client per connection (one HTTP session: the TCP and TLS connection to iCIMS is reused from
one event to the next, and the credentials are decrypted once), and each (connection, status id) looked
up once among the active stages; its iCIMS calls take the batch's `timeouts` (the urgent lane's short
ones) or, with None, the settings'. A batch lives for one task: nothing here outlives it, so a stage
edited or a secret rotated applies to the next batch.
"""

from __future__ import annotations

from integrations.icims.budget import Purpose
from integrations.icims.client import IcimsClient
from integrations.models import Connection, Stage

from .icims_clients import icims_client_for


class WebhookEventBatch:
    def __init__(self, *, timeouts: tuple[float, float] | None = None) -> None:
        self._timeouts = timeouts
        self._clients: dict[int, IcimsClient] = {}
        self._stages: dict[tuple[int, str], Stage | None] = {}

    def icims_client(self, connection: Connection) -> IcimsClient:
        client = self._clients.get(connection.pk)
        if client is None:
            client = self._clients[connection.pk] = icims_client_for(
                connection=connection, purpose=Purpose.WEBHOOK, timeouts=self._timeouts
            )
        return client

    def active_stage(self, connection: Connection, status_id: str) -> Stage | None:
        """The connection's active stage with this iCIMS status id (the first, in stage order), or None."""
        key = (connection.pk, status_id)
        if key not in self._stages:
            self._stages[key] = Stage.objects.filter(connection=connection, status_id=status_id, is_active=True).first()
        return self._stages[key]
