"""Where a secret may be sent: the iCIMS hosts of an allow-list, and nowhere else.

An entry is a host name (`login.icims.com`), a domain with a leading dot (`.icims.com`, which also
matches the bare `icims.com`) or either with a port (`127.0.0.1:8001`); without a port any port
matches. Three rules on top of the list:

- HTTPS only, except for hosts listed by their exact name (a development sandbox on 127.0.0.1).
- An address literal (IPv4 or IPv6) is allowed only when listed exactly, never through a domain.
- A name matched through a domain must not resolve to a private, loopback or link-local address
  (checked when `resolve` is given, at call time): the list names iCIMS, not the portal's network.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter

from .errors import IcimsError

DEFAULT_ALLOWED_HOSTS = (".icims.com", ".icims.eu", ".icims.ca", ".icims.tools")

Resolver = Callable[[str], Iterable[str]]


class DestinationRefused(IcimsError):
    """A URL outside the allow-list: nothing was sent there. Retrying cannot help."""


@dataclass(frozen=True)
class _Entry:
    host: str
    port: int | None
    domain: bool

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.domain:
            return host == self.host or host.endswith("." + self.host)
        return host == self.host


def _parse_entry(text: str) -> _Entry:
    raw = text.strip().lower()
    if "/" in raw or "@" in raw:
        raise ValueError(f"ICIMS_ALLOWED_HOSTS: {text.strip()!r} is not a host name")
    domain = raw.startswith(".")
    raw = raw.lstrip(".")
    port: int | None = None
    if raw.startswith("["):  # [::1] or [::1]:8001
        host, _, rest = raw[1:].partition("]")
        port_text = rest.removeprefix(":")
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
    else:
        host, port_text = raw, ""
    if port_text:
        if not port_text.isdecimal() or not 0 < int(port_text) < 65536:
            raise ValueError(f"ICIMS_ALLOWED_HOSTS: {text.strip()!r} has no valid port")
        port = int(port_text)
    if not host:
        raise ValueError(f"ICIMS_ALLOWED_HOSTS: {text.strip()!r} is not a host name")
    return _Entry(host=host, port=port, domain=domain)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def system_resolver(host: str) -> list[str]:
    """Every address the system resolves `host` to; none when it does not resolve (the call will fail anyway)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class UrlTarget:
    scheme: str
    host: str  # lower case, without a trailing dot
    port: int  # the scheme's default when the URL names none


def url_target(url: str) -> UrlTarget | str:
    """Where an http(s) URL points; or, as a string, why it is not one a secret may be sent to."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").rstrip(".").lower(), parts.port
    except ValueError:
        return f"{url!r} is not a valid URL."
    if parts.scheme not in ("http", "https") or not host:
        return f"{url!r} is not an http(s) URL."
    if parts.username is not None or parts.password is not None:
        return "A URL with a user name or password in it is not allowed."
    return UrlTarget(scheme=parts.scheme, host=host, port=port or (443 if parts.scheme == "https" else 80))


class HostAllowList:
    def __init__(self, entries: Iterable[str]) -> None:
        self.entries = [_parse_entry(entry) for entry in entries if entry.strip()]

    def __repr__(self) -> str:
        return f"HostAllowList({len(self.entries)} entries)"

    def refusal(self, url: str, *, resolve: Resolver | None = None) -> str | None:
        """Why a secret may not be sent to `url`, or None when it may."""
        target = url_target(url)
        if isinstance(target, str):
            return target
        host, port = target.host, target.port
        matching = [entry for entry in self.entries if entry.matches(host, port)]
        if not matching:
            return (
                f"{host}:{port} is not an iCIMS host this portal may send secrets to (ICIMS_ALLOWED_HOSTS lists them)."
            )
        listed_exactly = any(not entry.domain for entry in matching)
        if target.scheme != "https" and not listed_exactly:
            return f"Use https:// for {host}: plain http is allowed only for hosts listed by name."
        if listed_exactly:
            return None
        if _ip(host) is not None:
            return f"The address {host} must be listed by itself in ICIMS_ALLOWED_HOSTS, not through a domain."
        if resolve is not None:
            for address in resolve(host):
                ip = _ip(address.split("%")[0])
                if ip is not None and _is_internal(ip):
                    return f"{host} resolves to the internal address {address}; list it explicitly to allow it."
        return None

    def check(self, url: str, *, resolve: Resolver | None = None) -> None:
        """Raise DestinationRefused when a secret may not be sent to `url`."""
        reason = self.refusal(url, resolve=resolve)
        if reason is not None:
            raise DestinationRefused(f"Nothing was sent: {reason}")


class AllowListAdapter(HTTPAdapter):
    """Checks every request a session sends (API calls and token requests alike) before it leaves."""

    def __init__(self, allowed_hosts: HostAllowList, *, resolve: Resolver | None = system_resolver) -> None:
        super().__init__()
        self.allowed_hosts = allowed_hosts
        self.resolve = resolve
        # One look-up per origin and session: a session lives for one job.
        self._allowed_origins: set[tuple[str, str]] = set()

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        origin = urlsplit(request.url or "")[:2]
        if origin not in self._allowed_origins:
            self.allowed_hosts.check(request.url or "", resolve=self.resolve)
            self._allowed_origins.add(origin)
        return super().send(request, *args, **kwargs)
