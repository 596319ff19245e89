"""`make run`'s seeded admin: a superuser with a password and a second factor, both printed."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def test_the_seeded_admin_signs_in_with_the_printed_password_and_code(client, capsys):
    call_command("seed_dev", "--port", "9600", "--sandbox-port", "9601")
    printed = capsys.readouterr().out
    password = re.search(r"Login:\s+admin / (\S+)", printed).group(1)
    assert re.search(r"TOTP secret [A-Z2-7]{32}", printed)
    device = TOTPDevice.objects.get(user__username="admin")
    code = f"{totp(device.bin_key):06d}"

    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": password, "otp_token": code, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_seeding_again_replaces_the_second_factor(capsys):
    call_command("seed_dev")
    call_command("seed_dev")

    assert TOTPDevice.objects.filter(user__username="admin").count() == 1
