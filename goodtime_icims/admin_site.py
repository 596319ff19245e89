"""The admin site with two-factor sign-in: required for superusers, optional for CSMs.

A user with a confirmed second factor (an authenticator app, or one of their recovery codes) signs
in with password and code; a CSM without one with the password alone; a superuser without one not at
all, until an operator enrolls them (`python manage.py two_factor enroll USER`). A wrong code counts
as a failed sign-in for the lockout. Sessions opened any other way (`force_login`, an old session)
still need a verified second factor to reach a superuser's admin.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError

from integrations.services.admin_two_factor import two_factor_match, two_factor_missing, two_factor_required

SUPERUSER_NEEDS_SECOND_FACTOR = (
    "Superusers sign in with a second factor, and this account has none yet. An operator enrolls it "
    "with `python manage.py two_factor enroll {username}`."
)


class TwoFactorLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label="Authenticator or recovery code",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )

    def clean(self):
        cleaned = super().clean()  # password (and the lockout) first
        user = self.get_user()
        if user is None:
            return cleaned
        if two_factor_missing(user=user):
            raise ValidationError(SUPERUSER_NEEDS_SECOND_FACTOR.format(username=user.get_username()), code="no_otp")
        if not two_factor_required(user=user):
            return cleaned
        token = (cleaned.get("otp_token") or "").strip()
        device = two_factor_match(user=user, token=token) if token else None
        if device is None:
            # Counted like a wrong password, so guessing codes locks the account too.
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=self.request)
            raise ValidationError(
                "Enter the current code from your authenticator app, or an unused recovery code."
                if token
                else "This account has two-factor sign-in: enter the code from your authenticator app.",
                code="otp_token",
            )
        user.otp_device = device  # django-otp marks the session verified when the login completes
        return cleaned


class PortalAdminSite(admin.AdminSite):
    login_form = TwoFactorLoginForm
    login_template = "admin/two_factor_login.html"

    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        user = request.user
        return request.user.is_verified() or not (two_factor_required(user=user) or user.is_superuser)
