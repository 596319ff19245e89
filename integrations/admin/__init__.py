"""The product UI: one module per model family."""

from . import alerts, api_tokens, api_usage, connections, scheduling, stages, webhook_events, writebacks  # noqa: F401
