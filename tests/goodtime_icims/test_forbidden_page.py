"""A refused page says why and what the person may do instead, in the portal's own look."""

from __future__ import annotations

from django.urls import reverse


def test_a_csm_refused_a_super_admin_page_is_told_what_to_do_instead(csm_client, connection):
    response = csm_client.get(reverse("admin:integrations_webhookevent_replay_failed"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not do this" in page
    assert "signed in as <strong>casey</strong>" in page
    assert "ask one" in page
    assert reverse("admin:index") in page
    assert "integrations/cockpit.css" in page  # styled like the rest of the admin
