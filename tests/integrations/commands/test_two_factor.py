"""`manage.py two_factor`: enroll, reset (a lost phone), renew recovery codes, status."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def test_enroll_prints_the_secret_and_ten_recovery_codes(superadmin, capsys):
    call_command("two_factor", "enroll", "root")

    printed = capsys.readouterr().out
    assert "otpauth://totp/" in printed
    codes = set(StaticToken.objects.filter(device__user=superadmin).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in printed for code in codes)


def test_enrolling_twice_is_refused_unless_replacing(superadmin):
    call_command("two_factor", "enroll", "root")

    with pytest.raises(CommandError, match="already has a second factor"):
        call_command("two_factor", "enroll", "root")
    call_command("two_factor", "enroll", "root", "--replace")
    assert TOTPDevice.objects.filter(user=superadmin).count() == 1


def test_reset_removes_every_second_factor(superadmin, capsys):
    call_command("two_factor", "enroll", "root")

    call_command("two_factor", "reset", "root")

    assert not TOTPDevice.objects.filter(user=superadmin).exists()
    assert not StaticToken.objects.filter(device__user=superadmin).exists()
    assert "Removed 2 second-factor device(s) of root" in capsys.readouterr().out


def test_recovery_codes_are_renewed_and_the_old_ones_stop_working(superadmin, capsys):
    call_command("two_factor", "enroll", "root")
    old = set(StaticToken.objects.values_list("token", flat=True))

    call_command("two_factor", "recovery-codes", "root")

    assert not old & set(StaticToken.objects.values_list("token", flat=True))


def test_an_unknown_user_is_refused():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("two_factor", "status", "nobody")
