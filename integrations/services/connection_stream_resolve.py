"""Find what a connection's StreamId means (a stream or a subscription) and store the match.

Run by the connection test and when a super admin saves a changed StreamId, credentials or hosts.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from integrations.icims.budget import Purpose
from integrations.icims.client import IcimsClient
from integrations.icims.data_stream import ResolvedStream, StreamNotResolved, stream_discover
from integrations.icims.errors import IcimsAccessDenied, IcimsAuthError, IcimsError, IcimsNotFound
from integrations.models import Connection

from .icims_clients import icims_client_for

RESOLVED_FIELDS = ["stream_resolved_for", "stream_resolved_stream", "stream_resolved_subscription"]


@dataclass(frozen=True)
class StreamResolution:
    ok: bool
    detail: str
    resolved: ResolvedStream | None = None


def connection_stream_resolve(
    *,
    connection: Connection,
    client: IcimsClient | None = None,
    session: requests.Session | None = None,
    store: bool = True,
) -> StreamResolution:
    """List the streams and their subscriptions, match the StreamId, store the pair (or clear it).

    Without `store` only the instance is changed: credentials on trial must not change the saved row."""
    if not connection.stream_id:
        return StreamResolution(True, "no StreamId is set, so this connection syncs by search; not checked.")
    client = client or icims_client_for(connection=connection, purpose=Purpose.LIVE, session=session, max_attempts=1)
    try:
        resolved = stream_discover(client, connection.stream_id)
    except StreamNotResolved as error:
        _store(connection, None, store=store)
        return StreamResolution(False, error.message)
    except (IcimsAuthError, IcimsAccessDenied, IcimsNotFound):
        _store(connection, None, store=store)
        return StreamResolution(
            False,
            f"these credentials have no data stream access for customer {connection.customer_id}: "
            "ask iCIMS to enable the Streaming API for this client.",
        )
    except IcimsError as error:
        # Unreachable or paused: what was resolved before stays, a passing outage should not stop the sync.
        return StreamResolution(False, f"the data stream at {client.config.stream_url} failed: {error}.")
    _store(connection, resolved, store=store)
    named = "a subscription" if resolved.matched == "subscription" else "a stream"
    return StreamResolution(
        True,
        f"StreamId {connection.stream_id!r} names {named}: events are read from stream {resolved.stream_id}, "
        f"subscription {resolved.subscription_id}.",
        resolved,
    )


def _store(connection: Connection, resolved: ResolvedStream | None, *, store: bool) -> None:
    connection.stream_resolved_for = connection.stream_id if resolved else ""
    connection.stream_resolved_stream = resolved.stream_id if resolved else ""
    connection.stream_resolved_subscription = resolved.subscription_id if resolved else ""
    if store and connection.pk:
        Connection.objects.filter(pk=connection.pk).update(
            **{name: getattr(connection, name) for name in RESOLVED_FIELDS}
        )
