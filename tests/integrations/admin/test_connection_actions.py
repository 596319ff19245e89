"""The admin's "test connection" action reports each connection in plain words."""

from __future__ import annotations

import responses
from django.contrib.admin.sites import site
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from integrations.admin.connection_actions import run_connection_test
from integrations.models import Connection
from tests.fixtures.icims import icims_fixture


def _admin_request(user):
    request = RequestFactory().post("/admin/integrations/connection/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@responses.activate
def test_the_test_action_reports_each_connection_in_plain_words(superadmin, connection):
    responses.post("https://login.icims.com/oauth/token", status=401, json=icims_fixture("token_refused"))
    request = _admin_request(superadmin)

    run_connection_test(site._registry[Connection], request, Connection.objects.all())

    [message] = list(get_messages(request))
    assert "Acme (2187) does not work" in str(message)
    assert "the secret is wrong" in str(message)
