"""Webhook event rows as the endpoint would have stored them, for tests that start from stored events."""

from __future__ import annotations

from integrations.models import Connection, WebhookEvent


def stored_webhook_event(connection: Connection, *, key: str, state: str, **fields) -> WebhookEvent:
    """A stored WorkFlowStatusChangeEvent of `connection` in `state`, with `fields` (times, attempts) on top."""
    return WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        payload={},
        dedupe_key=key,
        state=state,
        **fields,
    )
