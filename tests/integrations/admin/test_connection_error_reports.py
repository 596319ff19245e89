"""An error while saving a connection produces a report (e-mail, log) without the secrets posted."""

from __future__ import annotations

import sys

import pytest
from django.core.signals import got_request_exception
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from integrations.error_reports import SecretHidingExceptionReporterFilter
from integrations.models import Connection
from tests.conftest import force_login_verified

from .connection_form_data import connection_form_data

TYPED_SECRETS = {
    "client_secret": "typed-client-secret-1111",
    "webhook_password": "typed-webhook-password-2222",
    "webhook_hmac_key_previous": "typed-previous-key-3333",
}


@pytest.fixture
def failed_admin_post(superadmin, ready_connection):
    """Post secrets to the change page while the database refuses the save; return the request and error."""
    client = Client(raise_request_exception=False)
    force_login_verified(client, superadmin)
    captured = {}

    def capture(sender, request, **kwargs):
        captured.update(request=request, exc_info=sys.exc_info())

    def refuse(sender, **kwargs):
        raise RuntimeError("the database went away")

    got_request_exception.connect(capture)
    pre_save.connect(refuse, sender=Connection)
    try:
        response = client.post(
            reverse("admin:integrations_connection_change", args=[ready_connection.pk]),
            connection_form_data(ready_connection, **TYPED_SECRETS),
        )
    finally:
        got_request_exception.disconnect(capture)
        pre_save.disconnect(refuse, sender=Connection)
    assert response.status_code == 500
    return captured["request"], captured["exc_info"]


@pytest.mark.parametrize("report_filter", [SecretHidingExceptionReporterFilter, SafeExceptionReporterFilter])
def test_an_error_report_for_a_connection_post_holds_no_secret(failed_admin_post, report_filter):
    # Django's own filter too: the admin view declares its sensitive parameters, so the report is
    # safe even where the project's filter is not configured.
    request, exc_info = failed_admin_post
    request.exception_reporter_filter = report_filter()
    reporter = ExceptionReporter(request, *exc_info, is_email=True)

    text, html = reporter.get_traceback_text(), reporter.get_traceback_html()

    assert "the database went away" in text
    assert "client_secret" in text
    for secret in (*TYPED_SECRETS.values(), "acme-secret-value-1234", "acme-webhook-password-5678"):
        assert secret not in text
        assert secret not in html
