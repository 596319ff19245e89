"""The one function every iCIMS call goes through.

It applies the budget and the circuit breaker (call_gate.py: one shared-state round trip before the call,
at most one after), authenticates, sets connect and read timeouts,
logs iCIMS's request id (`x-transaction`) and rate-limit headers (never a token), turns every
failure into a typed error (errors.py) and retries, in this process, what a few seconds can fix:
5xx answers and refused connections, with exponential backoff and full jitter, honouring
`Retry-After`; a refused token once, with a new one.
Nothing leaves the session for a host outside the allow-list (destinations.py): API calls and token
requests alike, whatever the stored connection says.

It never holds a worker for long: the waits it sleeps add up to at most `max_wait` seconds, and a
timeout is not retried here (a host that does not answer would cost one read timeout per attempt).
Anything longer is raised with `retry_after`, and the caller re-queues its work for later.

requests speaks HTTP/1.1 only, which is what iCIMS requires (other versions get a 505).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from .budget import CallBudget, Purpose
from .call_gate import Admission, CallGate
from .circuit_breaker import CircuitBreaker
from .destinations import AllowListAdapter, HostAllowList, Resolver, system_resolver
from .errors import (
    IcimsAuthError,
    IcimsConnectionError,
    IcimsError,
    IcimsRateLimited,
    IcimsTimeout,
    error_for_response,
)

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE"})


class Authenticator(Protocol):
    refreshable: bool

    def headers(self, request: requests.PreparedRequest) -> dict[str, str]: ...

    def invalidate(self, rejected_header: dict[str, str]) -> None: ...


# Called once per call that reached (or tried to reach) iCIMS: (purpose, HTTP status or 0, method).
CallObserver = Callable[[Purpose, int, str], None]


def retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """`Retry-After` in either form: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdecimal():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None


class IcimsTransport:
    def __init__(
        self,
        *,
        session: requests.Session,
        auth: Authenticator,
        purpose: Purpose,
        budget: CallBudget | None = None,
        breaker: CircuitBreaker | None = None,
        on_call: CallObserver | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        max_wait: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.time,
        destinations: HostAllowList | None = None,
        resolve: Resolver = system_resolver,
        timeout_failures: int = 1,
    ) -> None:
        self.session = session
        self.auth = auth
        self.purpose = purpose
        self.budget = budget
        self.breaker = breaker
        self.gate = CallGate(budget=budget, breaker=breaker)
        self.on_call = on_call
        self.timeout = (connect_timeout, read_timeout)
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.max_wait = max_wait
        self.sleep = sleep
        self.jitter = jitter
        self.clock = clock
        # What a timed-out call counts towards the breaker: more than a quick failure (it cost a whole read
        # timeout), or nothing when the caller chose a short timeout and hands slow work on itself.
        self.timeout_failures = timeout_failures
        if destinations is not None:
            # On the session, so the token requests the authenticator sends through it are checked too.
            guard = AllowListAdapter(destinations, resolve=resolve)
            session.mount("https://", guard)
            session.mount("http://", guard)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send one iCIMS call; return the 2xx/3xx response or raise an IcimsError.

        POSTs are not retried after they may have reached iCIMS unless the caller says they are
        idempotent (a search is; creating an interview is not).
        """
        method = method.upper()
        may_retry = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        attempt, refreshed_auth, waited = 0, False, 0.0
        while True:
            attempt += 1
            admission = self.gate.admit(self.purpose)  # breaker, pause and budget: one round trip
            prepared = self.session.prepare_request(
                requests.Request(
                    method, url, params=params, json=json, headers={"Accept": "application/json", **(headers or {})}
                )
            )
            try:
                auth_headers = self.auth.headers(prepared)
            except IcimsError as token_error:
                self.gate.refund(admission)
                # The login server failed: a refused secret is final, an unreachable server may come back
                # (and counts towards the breaker like any other unreachable host).
                weight = self.timeout_failures if isinstance(token_error, IcimsTimeout) else 1
                if token_error.retryable and self.breaker is not None and weight > 0:
                    self.breaker.record_failure(weight=weight)
                delay = self._backoff(attempt, token_error, waited)
                if delay is None:
                    raise
                waited += delay
                self.sleep(delay)
                continue
            prepared.headers.update(auth_headers)
            error = self._send(prepared, admission)
            if isinstance(error, requests.Response):
                return error

            if isinstance(error, IcimsAuthError) and self.auth.refreshable and not refreshed_auth:
                self.auth.invalidate(auth_headers)
                refreshed_auth, attempt = True, attempt - 1
                continue
            if isinstance(error, IcimsAuthError) and refreshed_auth:
                error.message = f"iCIMS refused a freshly fetched token too: {error.message}"
                raise error
            if isinstance(error, IcimsRateLimited):
                if self.budget is not None:
                    error.retry_after = self.budget.pause(error.retry_after)
                raise error
            weight = self.timeout_failures if isinstance(error, IcimsTimeout) else 1
            if error.retryable and self.breaker is not None and weight > 0:
                self.breaker.record_failure(weight=weight)
            delay = self._backoff(attempt, error, waited) if may_retry else None
            if delay is None:
                raise error
            waited += delay
            logger.warning(
                "iCIMS %s %s failed (%s); retry %s in %.2fs", method, urlsplit(url).path, error, attempt, delay
            )
            self.sleep(delay)

    def _send(self, prepared: requests.PreparedRequest, admission: Admission) -> requests.Response | IcimsError:
        path = urlsplit(prepared.url or "").path
        started = self.clock()
        try:
            response = self.session.send(prepared, timeout=self.timeout, allow_redirects=False)
        except requests.Timeout as exc:
            self._record(0, prepared.method or "")
            return IcimsTimeout(f"iCIMS did not answer {prepared.method} {path} in time ({exc.__class__.__name__})")
        except requests.ConnectionError as exc:
            self._record(0, prepared.method or "")
            return IcimsConnectionError(f"Could not reach iCIMS for {prepared.method} {path}: {exc.__class__.__name__}")
        headers = response.headers
        transaction_id = headers.get("x-transaction", "")
        logger.info(
            "iCIMS %s %s -> %s in %.0fms purpose=%s x-transaction=%s ratelimit=%s/%s reset=%s",
            prepared.method,
            path,
            response.status_code,
            (self.clock() - started) * 1000,
            self.purpose,
            transaction_id or "-",
            headers.get("x-ratelimit-remaining", "-"),
            headers.get("x-ratelimit-limit", "-"),
            headers.get("x-ratelimit-reset", "-"),
        )
        self.gate.settle(admission, headers=headers, succeeded=response.status_code < 400)
        self._record(response.status_code, prepared.method or "")
        if response.status_code < 400:
            return response
        return error_for_response(
            status=response.status_code,
            headers=headers,
            body=response.content,
            transaction_id=transaction_id,
            retry_after=retry_after_seconds(headers.get("Retry-After"), now=self.clock()),
        )

    def _record(self, status: int, method: str) -> None:
        if self.on_call is not None:
            self.on_call(self.purpose, status, method)

    def _backoff(self, attempt: int, error: IcimsError, waited: float) -> float | None:
        """How long to sleep before trying again here, or None to raise now.

        Full jitter: a random wait up to base * 2^attempt; iCIMS's `Retry-After` wins when it gave one.
        None when retrying cannot help, the attempts are spent, the call timed out (another try would cost
        another whole timeout) or the wait would take the total past `max_wait`."""
        if not error.retryable or isinstance(error, IcimsTimeout) or attempt >= self.max_attempts:
            return None
        if error.retry_after is not None:
            delay = error.retry_after
        else:
            delay = self.jitter() * self.backoff_base * 2 ** (attempt - 1)
        return delay if waited + delay <= self.max_wait else None
