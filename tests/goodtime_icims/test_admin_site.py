"""Signing in to the admin: lockout after 10 failures, two factors for superusers, idle sessions.

Personas: the superuser (must use a second factor), the CSM (may), and a stranger guessing passwords.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from integrations.services.admin_two_factor import two_factor_enroll
from tests.conftest import force_login_verified

LOGIN_URL = reverse("admin:login")
INDEX_URL = reverse("admin:index")

pytestmark = pytest.mark.django_db


def sign_in(client, username: str, password: str, code: str = "", address: str = "10.0.0.1"):
    return client.post(
        f"{LOGIN_URL}?next={INDEX_URL}",
        {"username": username, "password": password, "otp_token": code, "next": INDEX_URL},
        REMOTE_ADDR=address,
    )


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def signed_in(client) -> bool:
    return client.get(INDEX_URL).status_code == 200


@pytest.fixture
def enrolled_superadmin(superadmin):
    two_factor_enroll(user=superadmin)
    return superadmin


# -- lockout -----------------------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_refused_until_the_lockout_ends(
    client, enrolled_superadmin
):
    statuses = [sign_in(client, "root", "wrong").status_code for _ in range(10)]
    assert statuses == [200] * 9 + [429]  # the form again with its error, then the lockout

    locked = sign_in(client, "root", "pw-root", current_code(enrolled_superadmin))
    assert locked.status_code == 429
    assert b"Sign-in locked" in locked.content
    assert not signed_in(client)

    # The lockout lasts ADMIN_LOCKOUT_MINUTES (an hour): move the failures that far into the past.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert sign_in(client, "root", "pw-root", current_code(enrolled_superadmin)).status_code == 302
    assert signed_in(client)


def test_ten_failures_from_one_address_lock_that_address_for_every_account(client, csm):
    for number in range(10):
        sign_in(client, f"guess-{number}", "wrong", address="203.0.113.9")

    assert sign_in(client, "casey", "pw-casey", address="203.0.113.9").status_code == 429
    assert sign_in(client, "casey", "pw-casey", address="198.51.100.7").status_code == 302


def test_nine_failures_do_not_lock_and_a_success_starts_the_count_again(client, csm):
    for _ in range(9):
        sign_in(client, "casey", "wrong")
    assert sign_in(client, "casey", "pw-casey").status_code == 302

    client.logout()
    for _ in range(9):
        sign_in(client, "casey", "wrong")
    assert sign_in(client, "casey", "pw-casey").status_code == 302


def test_failed_and_successful_sign_ins_are_logged_and_shown_in_the_admin(client, csm, enrolled_superadmin):
    sign_in(client, "casey", "wrong", address="203.0.113.9")
    sign_in(client, "casey", "pw-casey", address="203.0.113.9")

    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address) == ("casey", "203.0.113.9")
    assert AccessLog.objects.get().username == "casey"
    force_login_verified(client, enrolled_superadmin)
    for model in ("accesslog", "accessfailurelog", "accessattempt"):
        page = client.get(reverse(f"admin:axes_{model}_changelist"))
        assert page.status_code == 200, model
    assert b"203.0.113.9" in client.get(reverse("admin:axes_accessfailurelog_changelist")).content


# -- two factors -------------------------------------------------------------------------------------


def test_a_superuser_without_a_second_factor_cannot_sign_in(client, superadmin):
    response = sign_in(client, "root", "pw-root")

    assert response.status_code == 200
    assert "python manage.py two_factor enroll root" in response.content.decode()
    assert not signed_in(client)


def test_a_superuser_without_a_verified_second_factor_cannot_reach_the_admin(client, superadmin):
    client.force_login(superadmin)  # a session opened without the sign-in form

    response = client.get(INDEX_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_a_superuser_signs_in_with_password_and_code(client, enrolled_superadmin):
    assert sign_in(client, "root", "pw-root", current_code(enrolled_superadmin)).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("code", ["", "000000"])
def test_a_missing_or_wrong_code_is_refused_and_counts_as_a_failure(client, enrolled_superadmin, code):
    response = sign_in(client, "root", "pw-root", code)

    assert response.status_code == 200
    assert "authenticator app" in response.content.decode()
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="root").failures_since_start == 1


def test_a_recovery_code_works_once(client, superadmin):
    codes = two_factor_enroll(user=superadmin).recovery_codes

    assert sign_in(client, "root", "pw-root", codes[0]).status_code == 302
    client.logout()
    assert sign_in(client, "root", "pw-root", codes[1]).status_code == 302
    client.logout()
    assert sign_in(client, "root", "pw-root", codes[0]).status_code == 200
    assert not signed_in(client)


def test_a_csm_without_a_second_factor_signs_in_with_the_password(client, csm):
    assert sign_in(client, "casey", "pw-casey").status_code == 302
    assert signed_in(client)


def test_a_csm_who_enrolled_needs_the_code(client, csm):
    two_factor_enroll(user=csm)

    assert sign_in(client, "casey", "pw-casey").status_code == 200
    assert sign_in(client, "casey", "pw-casey", current_code(csm)).status_code == 302
    assert signed_in(client)


# -- sessions and passwords --------------------------------------------------------------------------


def test_an_idle_session_ends_after_eight_hours_and_each_request_extends_it(client, csm):
    sign_in(client, "casey", "pw-casey")
    session = client.session

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert session.get_expiry_age() == 8 * 60 * 60


def test_the_password_change_page_changes_the_password(client, csm):
    sign_in(client, "casey", "pw-casey")

    page = client.get(reverse("admin:password_change"))
    changed = client.post(
        reverse("admin:password_change"),
        {
            "old_password": "pw-casey",
            "new_password1": "a-long-new-passphrase-9",
            "new_password2": "a-long-new-passphrase-9",
        },
    )

    assert page.status_code == 200
    assert changed.status_code == 302
    assert get_user_model().objects.get(username="casey").check_password("a-long-new-passphrase-9")
