"""The product UI: one module per model family."""

from . import connections, stages, webhook_events  # noqa: F401
