from __future__ import annotations

import pytest

from integrations.services.platform_webhook_endpoints import platform_webhook_endpoint_add

from .receiver import serve_receiver


@pytest.fixture
def receiver(settings):
    """A running receiver the portal may post to (listed in PLATFORM_WEBHOOK_ALLOWED_HOSTS)."""
    receiver, server = serve_receiver()
    settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS = [receiver.host]
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(receiver):
    """(endpoint, its signing secret) for every event type."""
    made = platform_webhook_endpoint_add(url=receiver.url)
    return made.endpoint, made.secret


@pytest.fixture
def fast_retries(settings):
    settings.PLATFORM_WEBHOOK_RETRY_DELAYS_SECONDS = (0, 0, 0, 0, 0)
