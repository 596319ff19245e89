"""The product UI: one module per model family."""

from . import api_tokens, api_usage, connections, stages, webhook_events  # noqa: F401
