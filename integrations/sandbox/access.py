"""Who may call, how often, and which calls fail on purpose: auth, the daily allowance, injected faults."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from integrations.icims import hmac_signing

from .clock import SandboxClock


class Credentials:
    """OAuth clients, Basic users and HMAC keys the tenant accepts, and the bearer tokens it issued."""

    def __init__(
        self,
        *,
        clients: Mapping[str, str],
        basic_users: Mapping[str, str],
        hmac_keys: Mapping[str, str],
        token_expires_in: int,
    ):
        self.clients = dict(clients)
        self.basic_users = dict(basic_users)
        self.hmac_keys = dict(hmac_keys)
        self.token_expires_in = token_expires_in
        self._tokens: dict[str, int] = {}  # token -> expiry (sandbox epoch seconds)

    def issue_token(self, *, client_id: str, client_secret: str, now: int) -> str | None:
        expected = self.clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected, client_secret):
            return None
        if len(self._tokens) > 10000:
            self._tokens = {token: expiry for token, expiry in self._tokens.items() if expiry > now}
        token = secrets.token_urlsafe(32)
        self._tokens[token] = now + self.token_expires_in
        return token

    def authorizes(
        self, *, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, now: int
    ) -> bool:
        authorization = headers.get("authorization", "")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            expiry = self._tokens.get(value.strip())
            return expiry is not None and expiry > now
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            expected = self.basic_users.get(user)
            return expected is not None and secrets.compare_digest(expected, password)
        parsed = hmac_signing.parse_authorization(authorization)
        if parsed is None or parsed.user not in self.hmac_keys:
            return False
        return hmac_signing.signature_matches(
            key=self.hmac_keys[parsed.user],
            authorization=parsed,
            method=method,
            path=path,
            query=query,
            headers=headers,
            body=body,
        )


class DailyAllowance:
    """iCIMS's per-day request budget: the window resets at 00:00 UTC (of the sandbox clock)."""

    def __init__(self, *, limit: int, clock: SandboxClock):
        self.limit = limit
        self._clock = clock
        self._day = clock.now().date()
        self._used = 0

    def _roll(self) -> None:
        today = self._clock.now().date()
        if today != self._day:
            self._day, self._used = today, 0

    def take(self) -> bool:
        self._roll()
        if self._used >= self.limit:
            return False
        self._used += 1
        return True

    @property
    def remaining(self) -> int:
        self._roll()
        return max(0, self.limit - self._used)

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self._clock.seconds_until_midnight()),
        }


FAULT_KINDS = ("error", "timeout", "rate_limit")


@dataclass
class Fault:
    kind: str
    remaining: int
    path_pattern: re.Pattern | None
    status: int
    retry_after: int
    seconds: float


class SandboxTimeout(Exception):
    """The call is to time out: in-process it raises a requests timeout, served it answers late."""

    def __init__(self, seconds: float):
        super().__init__(f"sandbox fault: no answer for {seconds}s")
        self.seconds = seconds


class Faults:
    def __init__(self):
        self._faults: list[Fault] = []

    def inject(
        self,
        kind: str,
        *,
        count: int = 1,
        path: str | None = None,
        status: int | None = None,
        retry_after: int = 60,
        seconds: float = 30.0,
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}.")
        if count < 1:
            raise ValueError("A fault must apply to at least one call.")
        default_status = {"error": 503, "timeout": 504, "rate_limit": 429}[kind]
        self._faults.append(
            Fault(kind, count, re.compile(path) if path else None, status or default_status, retry_after, seconds)
        )

    def clear(self) -> None:
        self._faults.clear()

    def take(self, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and (fault.path_pattern is None or fault.path_pattern.search(path)):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None
