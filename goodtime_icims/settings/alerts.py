"""Alerts: where notifications go (e-mail through Django's mail, a Slack-compatible webhook) and when
an alert resolves."""

from __future__ import annotations

from urllib.parse import urlsplit

from .base import BASE_DIR, VAR_DIR
from .environment import env

# EMAIL_URL in django-environ's form: smtp+tls://user:password@host:587, consolemail:// (print each
# message), filemail://var/mail (one file per message, under the project root; filemail:///srv/mail is absolute).
_email_url = env.str("EMAIL_URL", default="consolemail://")
_email = env.email_url_config(_email_url)
if _email["EMAIL_BACKEND"].endswith("filebased.EmailBackend"):
    # django-environ reads `filemail://var/mail` as host "var" and path "mail": take both as the folder.
    _parsed = urlsplit(_email_url)
    _folder = _parsed.netloc + _parsed.path
    _email["EMAIL_FILE_PATH"] = str(BASE_DIR / _folder) if _folder else str(VAR_DIR / "mail")
globals().update({name: value for name, value in _email.items() if value not in (None, "")})

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="goodtime-icims <alerts@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Told about every alert; each connection may name more recipients of its own.
ALERT_EMAIL_RECIPIENTS = env.list("ALERT_EMAIL_RECIPIENTS", default=[])
# A Slack-compatible incoming webhook (POST {"text": ...}); empty: no chat notification.
ALERT_WEBHOOK_URL = env.str("ALERT_WEBHOOK_URL", default="")
ALERT_WEBHOOK_TIMEOUT_SECONDS = env.float("ALERT_WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# An alert resolves only once its problem has stayed away this long (no flapping).
ALERT_RESOLVE_AFTER_SECONDS = env.int("ALERT_RESOLVE_AFTER_SECONDS", default=300)
# A notification that keeps failing is retried by each tick this many times, then left failed.
ALERT_NOTIFICATION_MAX_ATTEMPTS = env.int("ALERT_NOTIFICATION_MAX_ATTEMPTS", default=5)
# The portal's address, for links in notifications; empty: notifications carry no link.
PORTAL_URL = env.str("PORTAL_URL", default="")
