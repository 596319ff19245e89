"""The daily stage linter flags trigger statuses iCIMS no longer lists and webhook status ids no stage knows."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from integrations.models import Stage, StageLintReport
from integrations.services.stages_lint import LINT_PERIODIC_TASK_NAME, LINT_TASK_NAME, stages_lint, stages_lint_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def stages(sandbox_connection):
    listed = Stage.objects.create(
        connection=sandbox_connection,
        bin="Interview",
        status="First Interview - Schedule",
        status_id="C51218",
        triggers_scheduling=True,
    )
    gone = Stage.objects.create(
        connection=sandbox_connection,
        bin="Interview",
        status="Phone Interview",
        status_id="C59999",
        triggers_scheduling=True,
    )
    return listed, gone


def test_a_trigger_status_icims_no_longer_lists_is_flagged(sandbox, sandbox_connection, stages):
    report = stages_lint(connection=sandbox_connection)

    assert report.missing_triggers == [{"stage": "Interview / Phone Interview", "status_id": "C59999"}]
    assert report.note == ""


def test_a_webhook_status_id_no_stage_knows_is_flagged_with_its_count(
    sandbox, sandbox_connection, stages, stored_event
):
    stored_event(new_status="C51299")
    stored_event(new_status="C51299")
    stored_event(new_status="C51218")
    stored_event(new_status="51218")  # a tenant sending bare numbers: the same known stage

    report = stages_lint(connection=sandbox_connection)

    assert [(item["status_id"], item["events"]) for item in report.unknown_status_ids] == [("C51299", 2)]


def test_without_the_list_api_the_webhook_check_still_runs_and_the_note_says_why(
    sandbox, sandbox_connection, stages, stored_event
):
    sandbox.lists_offer_bins = False
    stored_event(new_status="C51299")

    report = stages_lint(connection=sandbox_connection)

    assert report.missing_triggers == []
    assert "Trigger statuses not checked" in report.note
    assert [item["status_id"] for item in report.unknown_status_ids] == ["C51299"]


def test_each_run_replaces_the_report(sandbox, sandbox_connection, stages):
    stages_lint(connection=sandbox_connection)
    stages[1].triggers_scheduling = False
    stages[1].save()

    assert stages_lint_all() == 1
    assert StageLintReport.objects.get(connection=sandbox_connection).missing_triggers == []


def test_the_linter_runs_daily_from_a_beat_entry_made_on_migrate():
    entry = PeriodicTask.objects.get(name=LINT_PERIODIC_TASK_NAME)

    assert entry.task == LINT_TASK_NAME
    assert (entry.crontab.minute, entry.crontab.hour) == ("30", "4")
