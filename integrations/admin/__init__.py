"""The product UI: one module per model family."""

from . import (  # noqa: F401
    alerts,
    api_tokens,
    api_usage,
    audit,
    connections,
    platform_webhooks,
    scheduling,
    stages,
    webhook_events,
    writebacks,
)
