"""Sign-ins, failed sign-ins and sign-outs into the audit trail (Django's auth signals)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from goodtime_icims.client_address import client_address

from .models import AuditEvent
from .services.audit_record import audit_record


def _address(request) -> str | None:
    return client_address(request) if request is not None else None


def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditEvent.Action.SIGN_IN, summary="admin sign-in", actor=user, address=_address(request))


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action=AuditEvent.Action.SIGN_OUT, summary="admin sign-out", actor=user, address=_address(request))


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    audit_record(
        action=AuditEvent.Action.SIGN_IN_FAILED,
        summary="admin sign-in refused",
        actor_name=str(credentials.get("username", "")),
        address=_address(request),
    )


def audit_signals_connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="integrations.audit.signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="integrations.audit.signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="integrations.audit.sign_in_failed")
