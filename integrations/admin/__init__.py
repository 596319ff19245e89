"""The product UI: one module per model family."""

from . import connections, stages  # noqa: F401
