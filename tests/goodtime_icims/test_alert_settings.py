"""Alert settings from the environment: EMAIL_URL in django-environ's form, secrets from NAME_FILE."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SHOW = (
    "import json; from goodtime_icims.settings import alerts as s; "
    "print(json.dumps({'backend': s.EMAIL_BACKEND, 'path': getattr(s, 'EMAIL_FILE_PATH', ''), "
    "'host': getattr(s, 'EMAIL_HOST', ''), 'webhook': s.ALERT_WEBHOOK_URL}))"
)


def settings_with(**environment) -> dict:
    env = {**os.environ, "ENV_FILE": "", **environment}
    for name in ("EMAIL_URL", "ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_URL_FILE"):
        if name not in environment:
            env.pop(name, None)
    output = subprocess.run(
        [sys.executable, "-c", SHOW], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


def test_mail_is_printed_unless_told_otherwise():
    assert settings_with()["backend"] == "django.core.mail.backends.console.EmailBackend"


def test_filemail_writes_under_the_project_root_or_var_mail():
    named = settings_with(EMAIL_URL="filemail://var/alert-mail")
    assert named["backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert named["path"] == str(Path(settings.BASE_DIR) / "var" / "alert-mail")
    assert settings_with(EMAIL_URL="filemail:///srv/alert-mail")["path"] == "/srv/alert-mail"
    assert settings_with(EMAIL_URL="filemail://")["path"].endswith(str(Path("var") / "mail"))


def test_smtp_takes_host_and_credentials_from_the_url():
    assert settings_with(EMAIL_URL="smtp+tls://alerts:pw@mail.example.com:587")["host"] == "mail.example.com"


@pytest.mark.parametrize("via_file", [False, True])
def test_the_chat_webhook_url_comes_from_the_environment_or_a_file(tmp_path, via_file):
    url = "https://hooks.chat.test/services/T0/B0/secret"
    if via_file:
        secret = tmp_path / "webhook-url"
        secret.write_text(url + "\n")
        assert settings_with(ALERT_WEBHOOK_URL_FILE=str(secret))["webhook"] == url
    else:
        assert settings_with(ALERT_WEBHOOK_URL=url)["webhook"] == url
