"""The product UI: one module per model family."""

from . import api_tokens, api_usage, audit, connections, scheduling, stages, webhook_events, writebacks  # noqa: F401
