"""`manage.py api_token create|revoke|list`: tokens from the shell, printed once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from integrations.models import ApiToken, Connection

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_scopes_it(connection):
    other = Connection.objects.create(name="Globex", customer_id="3100")
    out, err = run("create", "--name", "platform", "--connection", "2187")
    plaintext = out.strip()
    assert plaintext.startswith("gti_") and "\n" not in plaintext
    assert "shown once" in err
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert [c["customer_id"] for c in api.get("/api/v1/connections/").json()["results"]] == ["2187"]
    assert api.get(f"/api/v1/connections/{other.pk}/").status_code == 404

    listed, _ = run("list")
    assert ApiToken.objects.get().prefix in listed and "[2187]" in listed
    assert plaintext not in listed


def test_create_for_every_connection(connection):
    run("create", "--name", "platform", "--all-connections")
    assert ApiToken.objects.get().all_connections


@pytest.mark.parametrize(
    "args",
    [
        ["create", "--name", "x", "--connection", "9999"],
        ["create", "--name", "  ", "--all-connections"],
    ],
)
def test_create_refuses_bad_input_and_creates_nothing(connection, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not ApiToken.objects.exists()


def test_create_needs_exactly_one_scope(connection):
    with pytest.raises(CommandError):
        run("create", "--name", "x")
    with pytest.raises(CommandError):
        run("create", "--name", "x", "--connection", "2187", "--all-connections")


def test_revoke_by_prefix_or_whole_token(connection):
    plaintext, _ = run("create", "--name", "platform", "--all-connections")
    token = ApiToken.objects.get()
    out, _ = run("revoke", token.prefix)
    assert "Revoked" in out
    token.refresh_from_db()
    assert token.is_revoked
    out, _ = run("revoke", plaintext.strip())
    assert "already revoked" in out
    with pytest.raises(CommandError, match="No API token"):
        run("revoke", "ffffffff")
