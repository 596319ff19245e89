"""CSV export of webhook events, scheduling requests and write-backs, as an admin action."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from integrations.models import SchedulingRequest, Stage, WebhookEvent, Writeback


def _export(client, model: str, ids: list[int]) -> list[list[str]]:
    response = client.post(
        reverse(f"admin:integrations_{model}_changelist"),
        {"action": "export_csv", "_selected_action": [str(pk) for pk in ids]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def records(connection):
    stage = Stage.objects.create(connection=connection, bin="Interview", status="Schedule", status_id="C1")
    request = SchedulingRequest.objects.create(
        connection=connection, workflow_id="13437", candidate_id="8986", job_id="4442", trigger_stage=stage
    )
    event = WebhookEvent.objects.create(
        connection=connection,
        event_type="WorkFlowStatusChangeEvent",
        customer_id=connection.customer_id,
        system_id="13437",
        payload={},
        dedupe_key="k1",
        outcome='=HYPERLINK("http://evil")',
    )
    writeback = Writeback.objects.create(
        connection=connection, scheduling_request=request, action="advance_status", idempotency_key="a-13437"
    )
    return {"request": request, "event": event, "writeback": writeback}


def test_a_super_admin_exports_the_selected_webhook_events(superadmin_client, records):
    header, row = _export(superadmin_client, "webhookevent", [records["event"].pk])

    values = dict(zip(header, row, strict=True))
    assert (values["connection__name"], values["system_id"], values["state"]) == ("Acme", "13437", "received")


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(superadmin_client, records):
    header, row = _export(superadmin_client, "webhookevent", [records["event"].pk])

    assert dict(zip(header, row, strict=True))["outcome"] == '\'=HYPERLINK("http://evil")'


def test_a_csm_exports_scheduling_requests_with_the_names_shown_in_the_list(csm_client, records):
    header, row = _export(csm_client, "schedulingrequest", [records["request"].pk])

    values = dict(zip(header, row, strict=True))
    assert (values["workflow_id"], values["candidate_id"], values["candidate_name"]) == ("13437", "8986", "")
    assert values["trigger_stage__status_id"] == "C1"


def test_write_backs_export_with_their_workflow(superadmin_client, records):
    header, row = _export(superadmin_client, "writeback", [records["writeback"].pk])

    values = dict(zip(header, row, strict=True))
    assert (values["scheduling_request__workflow_id"], values["action"], values["state"]) == (
        "13437",
        "advance_status",
        "pending",
    )
