"""System checks that catch misconfiguration at start-up rather than at the first secret."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security)
def check_field_encryption_keys(app_configs, **kwargs):
    from .encryption import current_fernet

    if not settings.FIELD_ENCRYPTION_KEYS:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS is not set; connection secrets cannot be stored or read.",
                hint="Generate a key with `python manage.py generate_encryption_key` and set it.",
                id="integrations.E001",
            )
        ]
    if settings.SECRET_KEY in settings.FIELD_ENCRYPTION_KEYS:
        return [
            Error(
                "FIELD_ENCRYPTION_KEYS must not reuse SECRET_KEY.",
                id="integrations.E002",
            )
        ]
    try:
        current_fernet()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="integrations.E003")]
    return []


@register(Tags.security)
def check_icims_allowed_hosts(app_configs, **kwargs):
    from .icims.destinations import HostAllowList

    try:
        allowed = HostAllowList(settings.ICIMS_ALLOWED_HOSTS)
    except ValueError as error:
        return [
            Error(
                str(error),
                hint="Entries are host names, .domains, each with an optional :port.",
                id="integrations.E004",
            )
        ]
    if not allowed.entries:
        return [Error("ICIMS_ALLOWED_HOSTS is empty: no iCIMS call can be made.", id="integrations.E005")]
    return []
