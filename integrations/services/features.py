"""Per-connection features a caller may ask for while they are switched off."""

from __future__ import annotations


class FeatureDisabled(Exception):
    """The connection has this feature switched off; `reason` says which and where to switch it on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
