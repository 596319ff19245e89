"""How each request proves who we are: OAuth client credentials, HMAC or Basic.

OAuth tokens are cached per (token URL, client id, fingerprint of the secret) in the shared state so
every worker on every machine uses the same token, and only one worker at a time asks for a new one:
iCIMS is reported to throttle clients that request more than 500 tokens in 10 minutes (icims-api.md
section 1.1). The secret is part of the key so a token fetched with one secret is never used for
another (a connection test after a typo must fail at once); the fingerprint is a keyed hash, so the
shared cache never holds anything from which the secret could be guessed offline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

import requests

from . import hmac_signing
from .config import AuthMode, IcimsConfig
from .errors import IcimsAuthError, IcimsConnectionError, IcimsError, IcimsTimeout, error_for_response
from .shared_state import SharedState

logger = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300


class TokenCipher(Protocol):
    """Seals a cached token, so the shared cache (Redis) never holds a usable bearer token in clear."""

    def encrypt(self, plaintext: str) -> str: ...

    def decrypt(self, sealed: str) -> str:
        """Raise ValueError when `sealed` cannot be opened (a rotated key, a value from before)."""


LOCK_SECONDS = 30
WAIT_STEP_SECONDS = 0.05
# After a token fetch timed out, the workers waiting for it (and those asking within this long) with no
# more patience than it had give up at once rather than each spend the same timeout on the same login server.
FETCH_TIMED_OUT_SECONDS = 10


class OAuthTokenProvider:
    """Bearer tokens from `POST <token_url>` (grant_type=client_credentials), shared by all workers."""

    refreshable = True

    def __init__(
        self,
        *,
        state: SharedState,
        session: requests.Session,
        token_url: str,
        client_id: str,
        client_secret: str,
        audience: str,
        timeout: tuple[float, float] = (5.0, 20.0),
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
        cipher: TokenCipher | None = None,
        fingerprint_key: bytes = b"",
    ) -> None:
        self.cipher = cipher
        self.state = state
        self.session = session
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.audience = audience
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.refresh_margin = refresh_margin
        fingerprint = secret_fingerprint(client_secret, key=fingerprint_key)
        digest = hashlib.sha256(f"{token_url}|{client_id}|{fingerprint}".encode()).hexdigest()[:24]
        self.token_key = f"token:{digest}"
        self.lock_key = f"token-lock:{digest}"
        self.timed_out_key = f"token-timed-out:{digest}"
        # The last token this provider read or fetched, with its expiry: a client making many calls reads
        # the shared state once per token, not once per call.
        self._held: dict | None = None

    def headers(self, request: requests.PreparedRequest) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    def token(self) -> str:
        # Waiting for another worker's fetch costs no more than a fetch of our own would (a short timeout
        # in the urgent lane): the other may be stuck on a login server that does not answer.
        deadline = self.clock() + min(LOCK_SECONDS, sum(self.timeout))
        while True:
            cached = self._cached()
            if cached is not None:
                return cached
            self._give_up_if_a_fetch_just_timed_out()
            if self.state.add(self.lock_key, "1", ttl=LOCK_SECONDS):
                try:
                    return self._cached() or self._fetch()
                except IcimsTimeout:
                    self.state.set(self.timed_out_key, str(sum(self.timeout)), ttl=FETCH_TIMED_OUT_SECONDS)
                    raise
                finally:
                    self.state.delete(self.lock_key)
            if self.clock() > deadline:
                # Retryable: the other worker is stuck on a slow login server, the credentials may be fine.
                raise IcimsTimeout("Timed out waiting for another worker to fetch the iCIMS token")
            self.sleep(WAIT_STEP_SECONDS)

    def _give_up_if_a_fetch_just_timed_out(self) -> None:
        patience = self.state.get(self.timed_out_key)
        if patience is not None and sum(self.timeout) <= float(patience):
            raise IcimsTimeout(
                f"The iCIMS token endpoint {self.token_url} did not answer another worker within {float(patience):g}s"
            )

    def fresh_token(self) -> str:
        """A token fetched now, never the cached one (the connection test); a refusal evicts the cached one."""
        try:
            return self._fetch()
        except IcimsAuthError:
            self.state.delete(self.token_key)
            raise

    def invalidate(self, rejected_header: dict[str, str]) -> None:
        """Forget the token iCIMS just refused, unless another worker already replaced it."""
        rejected = rejected_header.get("Authorization", "").removeprefix("Bearer ")
        self._held = None
        stored = self._load()
        if stored and stored["access_token"] == rejected:
            self.state.delete(self.token_key)

    def _load(self) -> dict | None:
        stored = self.state.get(self.token_key)
        if not stored:
            return None
        if self.cipher is not None:
            try:
                stored = self.cipher.decrypt(stored)
            except ValueError:
                return None  # sealed with a retired key, or stored before sealing: fetch a new token
        return json.loads(stored)

    def _cached(self) -> str | None:
        token = self._held
        if token is None or token["expires_at"] - self.refresh_margin <= self.clock():
            token = self._held = self._load()
            if token is None:
                return None
        if token["expires_at"] - self.refresh_margin <= self.clock():
            return None
        return token["access_token"]

    def _fetch(self) -> str:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "audience": self.audience,
        }
        try:
            response = self.session.post(
                self.token_url, data=form, timeout=self.timeout, headers={"Accept": "application/json"}
            )
        except requests.Timeout as exc:
            raise IcimsTimeout(f"The iCIMS token endpoint {self.token_url} did not answer in time") from exc
        except requests.ConnectionError as exc:
            raise IcimsConnectionError(f"Could not reach the iCIMS token endpoint {self.token_url}") from exc
        if response.status_code in (400, 401, 403):
            refusal = error_for_response(status=response.status_code, headers=response.headers, body=response.content)
            raise IcimsAuthError(
                f"iCIMS refused the client id {self.client_id!r} or its secret at {self.token_url}: {refusal.message}",
                status=response.status_code,
                error_code=refusal.error_code,
            )
        if not response.ok:
            raise error_for_response(status=response.status_code, headers=response.headers, body=response.content)
        try:
            body = response.json()
            access_token, expires_in = body["access_token"], int(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError) as exc:
            raise IcimsError(
                "The iCIMS token endpoint answered without an access token", status=response.status_code
            ) from exc
        # The token lives in the shared cache only as long as iCIMS says it is valid.
        self._held = {"access_token": access_token, "expires_at": self.clock() + expires_in}
        value = json.dumps(self._held)
        self.state.set(self.token_key, self.cipher.encrypt(value) if self.cipher else value, ttl=expires_in)
        logger.info("Fetched an iCIMS token for client %s, valid %ss", self.client_id, expires_in)
        return access_token


def secret_fingerprint(secret: str, *, key: bytes) -> str:
    """A short keyed hash (HMAC-SHA256) of a secret: tells secrets apart, reveals nothing of them."""
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()[:16]


class HmacAuth:
    """`x-icims-v1-hmac-sha256` signatures (scheme in hmac_signing.py)."""

    refreshable = False

    def __init__(self, *, user: str, key: str, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.user = user
        self.key = key
        self.now = now

    def headers(self, request: requests.PreparedRequest) -> dict[str, str]:
        url = urlsplit(request.url or "")
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        content_type = request.headers.get("Content-Type", "application/json")
        return hmac_signing.signed_headers_for(
            key=self.key,
            user=self.user,
            method=request.method or "GET",
            host=url.netloc,
            path=url.path,
            query=url.query,
            body=body,
            content_type=content_type,
            now=self.now(),
        )

    def invalidate(self, rejected_header: dict[str, str]) -> None:
        """A signature cannot be refreshed."""


class BasicAuth:
    """`Authorization: Basic` with an iCIMS integration user (legacy)."""

    refreshable = False

    def __init__(self, *, username: str, password: str) -> None:
        self.value = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

    def headers(self, request: requests.PreparedRequest) -> dict[str, str]:
        return {"Authorization": self.value}

    def invalidate(self, rejected_header: dict[str, str]) -> None:
        """Basic credentials cannot be refreshed."""


def authenticator_for(
    config: IcimsConfig,
    *,
    state: SharedState,
    session: requests.Session,
    sleep: Callable[[float], None] = time.sleep,
    cipher: TokenCipher | None = None,
    fingerprint_key: bytes = b"",
) -> OAuthTokenProvider | HmacAuth | BasicAuth:
    """The authenticator a connection's auth mode calls for."""
    if config.auth_mode == AuthMode.HMAC:
        return HmacAuth(user=config.client_id, key=config.client_secret)
    if config.auth_mode == AuthMode.BASIC:
        return BasicAuth(username=config.client_id, password=config.client_secret)
    return OAuthTokenProvider(
        state=state,
        session=session,
        token_url=config.token_url,
        client_id=config.client_id,
        client_secret=config.client_secret,
        audience=config.audience,
        timeout=(config.connect_timeout, config.read_timeout),
        sleep=sleep,
        cipher=cipher,
        fingerprint_key=fingerprint_key,
    )
