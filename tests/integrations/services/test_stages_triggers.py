"""The rules a CSM's hand edits of a stage must follow."""

from __future__ import annotations

import pytest

from integrations.models import Connection, Stage
from integrations.services.stages_triggers import stage_edit_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def trigger(connection):
    return Stage.objects.create(
        connection=connection, bin="Interview", status="Ready to Schedule", status_id="C51218", triggers_scheduling=True
    )


@pytest.fixture
def scheduled(connection):
    return Stage.objects.create(connection=connection, bin="Interview", status="Scheduled", status_id="C51219")


def test_a_trigger_may_advance_to_an_active_numbered_stage_of_its_connection(trigger, scheduled):
    trigger.advance_to = scheduled

    assert stage_edit_errors(stage=trigger) == {}


def test_only_a_trigger_may_advance(trigger, scheduled):
    trigger.triggers_scheduling = False
    trigger.advance_to = scheduled

    assert "Only a status that triggers scheduling" in stage_edit_errors(stage=trigger)["advance_to"]


def test_advance_to_must_be_a_stage_of_the_same_connection(trigger):
    other = Connection.objects.create(name="Globex", customer_id="9999")
    trigger.advance_to = Stage.objects.create(connection=other, bin="B", status="S", status_id="X1")

    assert "belongs to another connection" in stage_edit_errors(stage=trigger)["advance_to"]


def test_advance_to_must_be_active(trigger, scheduled):
    scheduled.is_active = False
    scheduled.save()
    trigger.advance_to = scheduled

    assert "is inactive" in stage_edit_errors(stage=trigger)["advance_to"]


def test_advance_to_needs_a_status_id_to_move_candidates(trigger, connection):
    trigger.advance_to = Stage.objects.create(connection=connection, bin="B", status="No id")

    assert "has no iCIMS Status ID" in stage_edit_errors(stage=trigger)["advance_to"]


def test_a_stage_cannot_advance_to_itself(trigger):
    trigger.advance_to = trigger

    assert "to itself" in stage_edit_errors(stage=trigger)["advance_to"]


def test_a_formula_like_name_is_refused_so_exports_stay_safe(trigger):
    trigger.status = "=HYPERLINK()"

    assert "formula" in stage_edit_errors(stage=trigger)["status"]
