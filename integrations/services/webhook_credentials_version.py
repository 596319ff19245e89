"""The version of every connection's webhook credentials, in the shared cache: changes when any connection does.

Each web process keeps the credentials it checked for a few seconds (integrations/webhooks/
credentials_cache.py) and reads this one key per request: a password change, a key rotation, a
pause or a deletion saved by any process gives it a new value, so every process drops what it kept
before its next request. A random token rather than a counter: a key lost by the cache and made
again can never come back to a value someone still holds.
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache

logger = logging.getLogger(__name__)

CACHE_KEY = "webhook-credentials-version"


def webhook_credentials_version() -> str | None:
    """The current version; None when the cache cannot answer (then nothing is trusted from memory)."""
    try:
        version = cache.get(CACHE_KEY)
        if version is None:  # never set, or lost by the cache: start one (the first writer wins)
            cache.add(CACHE_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(CACHE_KEY)
        return version
    except Exception:  # the cache is an accelerator: without it every request reads the database
        logger.warning("Webhook credentials version unreadable; reading credentials from the database", exc_info=True)
        return None


def webhook_credentials_changed(**_signal_kwargs) -> None:
    """Give the credentials a new version (connected to Connection's post_save and post_delete)."""
    try:
        cache.set(CACHE_KEY, secrets.token_hex(8), timeout=None)
    except Exception:
        # Without a shared cache no process can trust its memory either: they all read the version as None.
        logger.warning("Webhook credentials version not bumped: the cache is unavailable", exc_info=True)
