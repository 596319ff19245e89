"""API tokens in the admin: a super admin creates one and sees it exactly once; CSMs never see tokens."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from integrations.models import ApiToken
from integrations.services.api_tokens import api_token_create

ADD = "admin:integrations_apitoken_add"
CHANGELIST = "admin:integrations_apitoken_changelist"


def test_a_super_admin_creates_a_token_and_sees_it_once(superadmin_client, superadmin, connection):
    response = superadmin_client.post(reverse(ADD), {"name": "EU platform", "connections": [connection.pk]})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    plaintext = re.search(r'<code id="api-token"[^>]*>(gti_[^<]+)</code>', page).group(1)

    token = ApiToken.objects.get()
    assert token.name == "EU platform" and token.created_by == superadmin
    assert list(token.connections.all()) == [connection]
    api = superadmin_client.__class__()
    assert api.get("/api/v1/connections/", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200

    change_page = superadmin_client.get(reverse("admin:integrations_apitoken_change", args=[token.pk]))
    listing = superadmin_client.get(reverse(CHANGELIST))
    secret = plaintext.split("_", 2)[2]  # gti_<prefix>_<secret>: the secret may hold "_" itself
    for later in (change_page, listing):
        assert later.status_code == 200
        assert plaintext not in later.content.decode()
        assert secret not in later.content.decode()
        assert token.prefix in later.content.decode()


def test_a_token_without_a_scope_is_refused_and_nothing_is_created(superadmin_client, connection):
    response = superadmin_client.post(reverse(ADD), {"name": "nowhere"})
    assert response.status_code == 200
    assert "not both, not neither" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_super_admin_revokes_tokens_in_bulk(superadmin_client, connection):
    issued = api_token_create(name="old", connections=[connection])
    response = superadmin_client.post(
        reverse(CHANGELIST), {"action": "revoke_selected", "_selected_action": [issued.token.pk]}, follow=True
    )
    assert "Revoked 1 token(s)." in response.content.decode()
    issued.token.refresh_from_db()
    assert issued.token.is_revoked


@pytest.mark.parametrize("url", [reverse(CHANGELIST), reverse(ADD)])
def test_a_csm_cannot_see_or_create_tokens(csm_client, url):
    assert csm_client.get(url).status_code == 403
