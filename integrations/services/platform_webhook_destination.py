"""Where platform webhooks may go: HTTPS on a public address, or a host:port PLATFORM_WEBHOOK_ALLOWED_HOSTS lists.

The same guard as ICIMS_ALLOWED_HOSTS turned around: any public HTTPS host is fine (the scheduling
platform's URLs are not known in advance), but a signed event must never be aimed at the portal's own
network (an internal admin port, a cloud metadata address) unless someone listed that host on purpose,
as development and tests list their local receiver (`127.0.0.1:8700`). Checked when an endpoint is
saved and again before every delivery, since a name may resolve elsewhere by then.
"""

from __future__ import annotations

from django.conf import settings

from integrations.icims.destinations import HostAllowList, Resolver, _ip, _is_internal, system_resolver, url_target


def platform_webhook_allowed_hosts() -> HostAllowList:
    return HostAllowList(settings.PLATFORM_WEBHOOK_ALLOWED_HOSTS)


def platform_webhook_url_refusal(url: str, *, resolve: Resolver | None = system_resolver) -> str | None:
    """Why events may not be sent to `url`, or None when they may."""
    target = url_target(url)
    if isinstance(target, str):
        return target
    host, port = target.host, target.port
    if any(entry.matches(host, port) for entry in platform_webhook_allowed_hosts().entries):
        return None
    listed = f"PLATFORM_WEBHOOK_ALLOWED_HOSTS does not list {host}:{port}"
    if target.scheme != "https":
        return f"Use https:// ({listed}, so plain http is refused)."
    address = _ip(host)
    if address is not None:
        return None if not _is_internal(address) else f"{host} is not a public address ({listed})."
    for resolved in resolve(host) if resolve is not None else ():
        ip = _ip(resolved.split("%")[0])
        if ip is not None and _is_internal(ip):
            return f"{host} resolves to the internal address {resolved} ({listed})."
    return None
