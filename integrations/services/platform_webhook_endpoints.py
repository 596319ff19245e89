"""Platform webhook endpoints: add, change, rotate the secret, remove; and what their failures lead to.

The signing secret (`whsec_` and 32 random bytes in base64, as the Standard Webhooks libraries read
it) is returned once by `add` and `rotate`, for the caller to show; it is stored encrypted and never
shown again. Each change is in the audit trail, by name, never with the secret.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from integrations.models import Alert, AlertKind, AlertNotification, AuditEvent, PlatformWebhookEndpoint

from .audit_record import audit_record
from .platform_webhook_destination import platform_webhook_url_refusal
from .platform_webhook_events import EVENT_TYPES


class PlatformWebhookEndpointInvalid(ValueError):
    """Bad input: nothing was changed."""


@dataclass(frozen=True)
class EndpointWithSecret:
    endpoint: PlatformWebhookEndpoint
    secret: str  # shown once, now


def platform_webhook_secret_generate() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def platform_webhook_endpoint_validate(*, url: str, event_types: list[str]) -> None:
    refusal = platform_webhook_url_refusal(url)
    if refusal is not None:
        raise PlatformWebhookEndpointInvalid(refusal)
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise PlatformWebhookEndpointInvalid(
            f"Unknown event type(s) {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}."
        )


def platform_webhook_endpoint_add(
    *, url: str, event_types: list[str] | None = None, description: str = "", actor: AbstractBaseUser | None = None
) -> EndpointWithSecret:
    event_types = list(dict.fromkeys(event_types or []))
    platform_webhook_endpoint_validate(url=url, event_types=event_types)
    secret = platform_webhook_secret_generate()
    with transaction.atomic():
        endpoint = PlatformWebhookEndpoint.objects.create(
            url=url,
            event_types=event_types,
            description=description,
            secret=secret,
            secret_rotated_at=timezone.now(),
        )
        audit_record(
            action=AuditEvent.Action.PLATFORM_WEBHOOK_ADDED,
            summary=f"endpoint {endpoint.pk} {url} ({_events_label(event_types)})",
            actor=actor,
            actor_name="" if actor else "shell",
        )
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def platform_webhook_endpoint_update(
    *,
    endpoint: PlatformWebhookEndpoint,
    url: str,
    event_types: list[str],
    description: str,
    is_enabled: bool,
    actor: AbstractBaseUser | None = None,
) -> PlatformWebhookEndpoint:
    event_types = list(dict.fromkeys(event_types))
    platform_webhook_endpoint_validate(url=url, event_types=event_types)
    with transaction.atomic():
        endpoint = PlatformWebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        changed = [
            name
            for name, value in (("URL", url), ("events", event_types), ("description", description))
            if getattr(endpoint, {"URL": "url", "events": "event_types"}.get(name, name)) != value
        ]
        endpoint.url, endpoint.event_types, endpoint.description = url, event_types, description
        if is_enabled and not endpoint.is_enabled:
            changed.append("enabled")
            endpoint.failure_streak, endpoint.failing_since = 0, None
            endpoint.disabled_at, endpoint.disabled_reason = None, ""
        elif not is_enabled and endpoint.is_enabled:
            changed.append("disabled")
            endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), "Disabled by a person."
        endpoint.is_enabled = is_enabled
        endpoint.save()
        if is_enabled:
            _alerts_resolve(endpoint)
        if changed:
            audit_record(
                action=AuditEvent.Action.PLATFORM_WEBHOOK_CHANGED,
                summary=f"endpoint {endpoint.pk} {endpoint.url}: changed {', '.join(changed)}",
                actor=actor,
                actor_name="" if actor else "shell",
            )
    return endpoint


def platform_webhook_endpoint_rotate_secret(
    *, endpoint: PlatformWebhookEndpoint, actor: AbstractBaseUser | None = None
) -> EndpointWithSecret:
    """A new secret at once: the next delivery is signed with it (the platform must switch too)."""
    secret = platform_webhook_secret_generate()
    with transaction.atomic():
        PlatformWebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret, secret_rotated_at=timezone.now())
        audit_record(
            action=AuditEvent.Action.PLATFORM_WEBHOOK_ROTATED,
            summary=f"endpoint {endpoint.pk} {endpoint.url}: new signing secret",
            actor=actor,
            actor_name="" if actor else "shell",
        )
    endpoint.refresh_from_db()
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def platform_webhook_endpoint_remove(
    *, endpoint: PlatformWebhookEndpoint, actor: AbstractBaseUser | None = None
) -> None:
    """Removes the endpoint with its delivery log; the events stay for other endpoints."""
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.PLATFORM_WEBHOOK_REMOVED,
            summary=f"endpoint {endpoint.pk} {endpoint.url}",
            actor=actor,
            actor_name="" if actor else "shell",
        )
        endpoint.delete()


def _events_label(event_types: list[str]) -> str:
    return ", ".join(event_types) if event_types else "every event"


# -- what deliveries tell about an endpoint -------------------------------------------------------
def platform_webhook_endpoint_success_record(*, endpoint: PlatformWebhookEndpoint) -> None:
    if endpoint.failure_streak:  # most deliveries succeed after a success: no write then
        PlatformWebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_streak=0, failing_since=None)


def platform_webhook_endpoint_failure_record(*, endpoint: PlatformWebhookEndpoint, error: str, now: datetime) -> bool:
    """Count the failure; disable the endpoint (and open an alert) once it has failed
    PLATFORM_WEBHOOK_DISABLE_AFTER_FAILURES times in a row over PLATFORM_WEBHOOK_DISABLE_AFTER_SECONDS.
    Returns whether this failure disabled it. Call inside a transaction."""
    PlatformWebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failure_streak=F("failure_streak") + 1, failing_since=Coalesce(F("failing_since"), now)
    )
    streak, since = PlatformWebhookEndpoint.objects.values_list("failure_streak", "failing_since").get(pk=endpoint.pk)
    failing_for = now - since if since else timedelta(0)
    if streak < settings.PLATFORM_WEBHOOK_DISABLE_AFTER_FAILURES:
        return False
    if failing_for < timedelta(seconds=settings.PLATFORM_WEBHOOK_DISABLE_AFTER_SECONDS):
        return False
    reason = f"Disabled after {streak} failed deliveries in a row since {since:%Y-%m-%d %H:%M} UTC; last: {error}"
    disabled = PlatformWebhookEndpoint.objects.filter(pk=endpoint.pk, is_enabled=True).update(
        is_enabled=False, disabled_at=now, disabled_reason=reason[:300]
    )
    if disabled:
        _alert_open(endpoint, message=reason, now=now)
    return bool(disabled)


def _alert_open(endpoint: PlatformWebhookEndpoint, *, message: str, now: datetime) -> None:
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                platform_webhook_endpoint=endpoint,
                kind=AlertKind.PLATFORM_WEBHOOK_DISABLED,
                message=f"Platform webhook endpoint {endpoint.url}: {message}",
                opened_at=now,
                last_seen_at=now,
            )
    except IntegrityError:  # already open
        return
    AlertNotification.objects.bulk_create(
        [
            AlertNotification(alert=alert, event=AlertNotification.Event.OPENED, channel=channel)
            for channel in AlertNotification.Channel.values
        ]
    )


def _alerts_resolve(endpoint: PlatformWebhookEndpoint) -> None:
    """Enabled again by a person: the problem is dealt with."""
    now = timezone.now()
    for alert in Alert.objects.filter(platform_webhook_endpoint=endpoint, resolved_at__isnull=True):
        alert.resolved_at = alert.clear_since = now
        alert.save(update_fields=["resolved_at", "clear_since"])
        AlertNotification.objects.bulk_create(
            [
                AlertNotification(alert=alert, event=AlertNotification.Event.RESOLVED, channel=channel)
                for channel in AlertNotification.Channel.values
            ]
        )
