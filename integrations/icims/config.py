"""What the client needs to know about one connection, as plain values (no Django model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AuthMode(StrEnum):
    OAUTH = "oauth"
    HMAC = "hmac"
    BASIC = "basic"


@dataclass(frozen=True)
class IcimsConfig:
    customer_id: str
    api_url: str
    token_url: str = ""
    audience: str = ""
    stream_url: str = ""
    auth_mode: AuthMode = AuthMode.OAUTH
    # OAuth client id/secret; for HMAC the integration user and key; for Basic the user and password.
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    # The data stream as discovered by the connection test (data_stream.py); blank: not resolved yet.
    stream_id: str = ""
    subscription_id: str = ""
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    @property
    def customer_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/customers/{self.customer_id}"
