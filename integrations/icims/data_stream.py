"""Finding a tenant's data stream: which `{stream}` and which subscription its StreamId means.

Public code shows three calls (icims-api.md sections 6 and 15, G2):

    GET {stream_url}/streams/                                   -> the stream ids these credentials may read
    GET {stream_url}/streams/{stream}/subscriptions             -> [{"subscriptionId": <32 hex>, ...}, ...]
    GET {stream_url}/streams/{stream}/subscriptions/{id}/events -> {"events": [...], "lastEvaluatedKey": ...}

Whether the StreamId iCIMS hands out names the `{stream}` or a subscription is not settled, so
discovery lists every stream and its subscriptions and accepts either. A StreamId naming a stream
with exactly one subscription resolves to it; with several, the subscription must be named.
The resolved pair is stored on the connection and put in IcimsConfig; events are read only
with a resolved pair, never with a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import IcimsConfig
from .errors import IcimsError

if TYPE_CHECKING:
    from .client import IcimsClient

SUBSCRIPTION_ID = re.compile(r"^[0-9a-f]{32}$", re.IGNORECASE)


class StreamNotResolved(IcimsError):
    """The StreamId matches no stream and no subscription (or is ambiguous); says which ids exist."""

    def __init__(self, message: str, *, existing: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.existing = existing or {}


@dataclass(frozen=True)
class ResolvedStream:
    stream_id: str
    subscription_id: str
    matched: str  # "stream" or "subscription": what the configured StreamId named


def stream_subscription_ids(client: IcimsClient, stream_id: str) -> list[str]:
    """`GET {stream_url}/streams/{stream}/subscriptions`: the subscription ids, as listed."""
    subscriptions = client.get_stream_subscriptions(stream_id)
    ids = []
    for entry in subscriptions:
        value = entry.get("subscriptionId") if isinstance(entry, dict) else entry
        if value:
            ids.append(str(value))
    return ids


def stream_discover(client: IcimsClient, configured: str) -> ResolvedStream:
    """List the streams and each one's subscriptions; find the one the configured StreamId names.

    Raises StreamNotResolved (listing the ids that exist) when it names neither, and IcimsError when
    a listing call fails.
    """
    configured = configured.strip()
    existing = {str(stream): stream_subscription_ids(client, str(stream)) for stream in client.get_streams()}
    for stream, subscriptions in existing.items():
        if configured.lower() in (subscription.lower() for subscription in subscriptions):
            match = next(s for s in subscriptions if s.lower() == configured.lower())
            return ResolvedStream(stream_id=stream, subscription_id=match, matched="subscription")
    if configured in existing:
        subscriptions = existing[configured]
        if len(subscriptions) == 1:
            return ResolvedStream(stream_id=configured, subscription_id=subscriptions[0], matched="stream")
        if not subscriptions:
            raise StreamNotResolved(
                f"stream {configured!r} exists but has no subscription: ask iCIMS to subscribe this client to it.",
                existing=existing,
            )
        raise StreamNotResolved(
            f"stream {configured!r} has {len(subscriptions)} subscriptions ({', '.join(subscriptions)}): "
            "set the StreamId to the subscription id meant for this portal.",
            existing=existing,
        )
    raise StreamNotResolved(
        f"StreamId {configured!r} names no stream and no subscription these credentials can read. "
        f"Existing: {existing_ids_text(existing)}.",
        existing=existing,
    )


def existing_ids_text(existing: dict[str, list[str]]) -> str:
    if not existing:
        return "no streams at all"
    return "; ".join(
        f"stream {stream} (subscriptions: {', '.join(subs) or 'none'})" for stream, subs in existing.items()
    )


def stream_events_url(config: IcimsConfig, configured: str) -> str:
    """The events address for the configured StreamId, from the resolved pair in the config.

    Raises StreamNotResolved when the connection test has not resolved it (the sync then falls back
    to search and says why).
    """
    if not (config.stream_id and config.subscription_id):
        raise StreamNotResolved(
            f"StreamId {configured!r} has not been resolved to a data stream subscription yet: "
            "run the connection test (it lists the streams and subscriptions and stores the match)."
        )
    base = config.stream_url.rstrip("/")
    return f"{base}/streams/{config.stream_id}/subscriptions/{config.subscription_id}/events"
