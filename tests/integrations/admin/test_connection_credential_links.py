"""The connection page's credential link panel: super admins make a link, shown once; CSMs cannot."""

from __future__ import annotations

from django.urls import reverse

from integrations.models import AuditEvent, CredentialLink
from integrations.services.credential_links import credential_link_hash


def change_url(connection) -> str:
    return reverse("admin:integrations_connection_change", args=[connection.pk])


def make_url(connection) -> str:
    return reverse("admin:integrations_connection_credential_link", args=[connection.pk])


def test_the_status_tab_offers_a_super_admin_a_credential_link(superadmin_client, ready_connection):
    page = superadmin_client.get(change_url(ready_connection)).content.decode()

    assert "No credential link made yet." in page
    assert f'action="{make_url(ready_connection)}"' in page


def test_the_link_is_shown_once_and_only_its_hash_is_kept(superadmin_client, ready_connection, superadmin):
    answer = superadmin_client.post(make_url(ready_connection), {"expires_hours": "48"})

    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    html = answer.content.decode()
    start = html.index("http://testserver/credentials/")
    url = html[start : html.index("<", start)]
    token = url.removeprefix("http://testserver/credentials/").rstrip("/")
    link = CredentialLink.objects.get()
    assert link.token_hash == credential_link_hash(token)
    assert link.created_by == superadmin
    assert 47.9 < (link.expires_at - link.created_at).total_seconds() / 3600 <= 48
    assert AuditEvent.objects.filter(action="credential_link_created", actor=superadmin).exists()
    status = superadmin_client.get(change_url(ready_connection)).content.decode()
    assert f"Link {link.prefix}… made" in status and "not opened yet" in status
    assert token not in status


def test_a_link_cannot_be_made_to_last_for_ever(superadmin_client, ready_connection):
    answer = superadmin_client.post(make_url(ready_connection), {"expires_hours": "100000"}, follow=True)

    assert "No link was made" in answer.content.decode()
    assert not CredentialLink.objects.exists()


def test_a_csm_sees_no_panel_and_cannot_make_a_link(csm_client, ready_connection):
    page = csm_client.get(change_url(ready_connection)).content.decode()

    assert make_url(ready_connection) not in page
    assert csm_client.post(make_url(ready_connection)).status_code == 403
    assert not CredentialLink.objects.exists()
