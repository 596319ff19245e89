"""Tenants for CSMs: a CSM sees and changes only the connections assigned to them, with their stages
and pages; superusers see every tenant. Three personas: the superuser, the assigned CSM, the
unassigned CSM."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from integrations.models import Connection, SchedulingRequest, Stage
from sync.models import Job
from tests.conftest import force_login_verified
from tests.integrations.admin.connection_form_data import connection_form_data

STAGES_URL = reverse("admin:integrations_stage_changelist")
CONNECTIONS_URL = reverse("admin:integrations_connection_changelist")


@pytest.fixture
def tenants(csm):
    """Acme is assigned to the CSM; Globex is not."""
    acme = Connection.objects.create(name="Acme", customer_id="2187")
    globex = Connection.objects.create(name="Globex", customer_id="4242")
    globex.csms.remove(csm)
    for connection in (acme, globex):
        Stage.objects.create(connection=connection, bin="Interview", status=f"{connection.name} screen", status_id="")
        Job.objects.create(
            connection=connection,
            icims_id=int(connection.customer_id),
            synced_at=timezone.now(),
            seen_at=timezone.now(),
        )
    return acme, globex


@pytest.fixture
def persona(request, client, superadmin, csm, unassigned_csm):
    user = {"superuser": superadmin, "assigned CSM": csm, "unassigned CSM": unassigned_csm}[request.param]
    force_login_verified(client, user) if user.is_superuser else client.force_login(user)
    return client


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("superuser", {"Acme", "Globex"}), ("assigned CSM", {"Acme"}), ("unassigned CSM", set())],
    indirect=["persona"],
)
def test_each_persona_sees_only_its_tenants_everywhere(persona, tenants, sees):
    for url in (
        CONNECTIONS_URL,
        STAGES_URL,
        reverse("admin:sync_job_changelist"),
        reverse("admin:integrations_stage_import"),
        reverse("admin:integrations_stage_export"),
    ):
        text = page_text(persona, url)
        assert {name for name in ("Acme", "Globex") if name in text} == sees, url


@pytest.mark.parametrize("persona", ["assigned CSM", "unassigned CSM"], indirect=True)
def test_another_tenants_pages_are_not_found(persona, tenants):
    _, globex = tenants
    stage = Stage.objects.get(connection=globex)

    for url in (
        reverse("admin:integrations_connection_change", args=[globex.pk]),
        reverse("admin:integrations_stage_change", args=[stage.pk]),
        reverse("admin:sync_job_change", args=[Job.objects.get(connection=globex).pk]),
    ):
        response = persona.get(url)
        assert response.status_code == 302, url  # "doesn't exist", back to the index
        assert response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("persona", ["assigned CSM"], indirect=True)
def test_a_csm_cannot_import_into_or_change_another_tenant(persona, tenants):
    acme, globex = tenants
    upload = SimpleUploadedFile("stages.csv", b"Bin,Status,Status ID\nOffer,Offer Extended,C51230\n")

    refused = persona.post(reverse("admin:integrations_stage_import"), {"connection": globex.pk, "file": upload})
    stage = Stage.objects.get(connection=globex)
    changed = persona.post(
        reverse("admin:integrations_stage_change", args=[stage.pk]),
        {"connection": globex.pk, "bin": "Hacked", "status": "Hacked", "status_id": "", "is_active": "on"},
    )

    assert "Select a valid choice" in refused.content.decode()
    assert changed.status_code == 302
    assert Stage.objects.get(pk=stage.pk).bin == "Interview"
    assert Stage.objects.filter(connection=globex).count() == 1
    moved = persona.post(
        reverse("admin:integrations_stage_change", args=[Stage.objects.get(connection=acme).pk]),
        {"connection": globex.pk, "bin": "Interview", "status": "Moved", "status_id": "", "is_active": "on"},
    )
    assert "Select a valid choice" in moved.content.decode()


def test_a_superuser_assigns_csms_to_a_connection(superadmin_client, csm, unassigned_csm, ready_connection):
    data = connection_form_data(ready_connection, csms=[str(unassigned_csm.pk)])

    response = superadmin_client.post(reverse("admin:integrations_connection_change", args=[ready_connection.pk]), data)

    assert response.status_code == 302
    assert list(ready_connection.csms.all()) == [unassigned_csm]


def test_only_csms_are_offered_for_assignment(superadmin_client, csm, ready_connection):
    form = (
        superadmin_client.get(reverse("admin:integrations_connection_change", args=[ready_connection.pk]))
        .context["adminform"]
        .form
    )

    assert list(form.fields["csms"].queryset) == [csm]


@pytest.mark.parametrize("persona", ["assigned CSM"], indirect=True)
def test_scheduling_requests_of_another_tenant_are_hidden(persona, tenants):
    for connection in tenants:
        SchedulingRequest.objects.create(
            connection=connection,
            workflow_id=f"w-{connection.customer_id}",
            candidate_id="8986",
            job_id="4442",
            trigger_stage=Stage.objects.get(connection=connection),
        )

    text = page_text(persona, reverse("admin:integrations_schedulingrequest_changelist"))

    assert "w-2187" in text
    assert "w-4242" not in text
