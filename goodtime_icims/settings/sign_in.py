"""Signing in to the admin: lockout (django-axes), two-factor (django-otp), idle sessions."""

from __future__ import annotations

from datetime import timedelta

from .environment import env

# axes checks every sign-in first; a locked-out user or address gets 429 before the password is tried.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failures counted per user name and, separately, per client address: either reaching the limit locks.
AXES_FAILURE_LIMIT = env.int("ADMIN_LOCKOUT_FAILURES", default=10)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOCKOUT_MINUTES", default=60))
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed sign-in, not only the running count
AXES_CLIENT_IP_CALLABLE = "goodtime_icims.client_address.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # failures and lockouts are in the sign-in log; no INFO line per successful sign-in
# Behind N proxies that each append to X-Forwarded-For, the client is the Nth address from the right.
# 0 (default): the TCP peer; a wrong value lets a client choose its own address, so set it exactly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Idle sessions end after ADMIN_SESSION_IDLE_SECONDS: each request pushes the expiry forward.
SESSION_COOKIE_AGE = env.int("ADMIN_SESSION_IDLE_SECONDS", default=8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True

# The issuer name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="goodtime-icims")
