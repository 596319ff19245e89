"""Second factors for admin users: TOTP (authenticator apps) with single-use recovery codes.

Superusers must have one; CSMs may. Devices are django-otp's: a confirmed TOTPDevice named
"authenticator" and a StaticDevice named "recovery codes" holding RECOVERY_CODE_COUNT codes.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10


class AlreadyEnrolled(Exception):
    """The user has a second factor; replacing it must be asked for explicitly."""


@dataclass(frozen=True)
class Enrollment:
    secret_base32: str
    config_url: str  # otpauth://totp/... for a QR code or an authenticator app's "enter a key"
    recovery_codes: list[str]


def two_factor_required(*, user: AbstractBaseUser) -> bool:
    """True when signing in takes a code: the user has a confirmed second factor."""
    return user_has_device(user, confirmed=True)


def two_factor_missing(*, user: AbstractBaseUser) -> bool:
    """A superuser without a second factor, who may not sign in until enrolled."""
    return bool(user.is_superuser) and not two_factor_required(user=user)


def two_factor_match(*, user: AbstractBaseUser, token: str) -> Device | None:
    """The device that accepts `token` (a TOTP code, or a recovery code, which is then used up)."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                return device
    return None


@transaction.atomic
def two_factor_enroll(*, user: AbstractBaseUser, replace: bool = False) -> Enrollment:
    """A new authenticator secret and recovery codes. Refuses to overwrite unless `replace`."""
    if two_factor_required(user=user) and not replace:
        raise AlreadyEnrolled(f"{user.get_username()} already has a second factor; reset it or pass --replace.")
    _delete_devices(user=user)
    totp = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    codes = two_factor_recovery_codes_renew(user=user)
    logger.info("Second factor enrolled for %s", user.get_username())
    secret = base64.b32encode(totp.bin_key).decode().rstrip("=")
    return Enrollment(secret_base32=secret, config_url=totp.config_url, recovery_codes=codes)


@transaction.atomic
def two_factor_recovery_codes_renew(*, user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones, and return them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_reset(*, user: AbstractBaseUser) -> int:
    """Remove every second factor of the user (a lost phone). Returns how many devices were removed."""
    removed = _delete_devices(user=user)
    logger.info("Second factor reset for %s (%s devices removed)", user.get_username(), removed)
    return removed


def _delete_devices(*, user: AbstractBaseUser) -> int:
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed
