"""The onboarding checklist follows the integration guide's steps."""

from __future__ import annotations

from datetime import UTC, datetime

from integrations.models import Connection, Stage
from integrations.selectors.connection_onboarding import (
    NOT_DONE_YET,
    connection_onboarding_checklist,
    connection_onboarding_progress,
    connections_with_onboarding_facts,
)

MOMENT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def steps_by_label(connection: Connection) -> dict:
    return {step.label: step for step in connection_onboarding_checklist(connection=connection)}


def test_a_new_connection_has_only_its_customer_id(db):
    connection = Connection.objects.create(name="New", customer_id="1")

    steps = steps_by_label(connection)

    assert list(steps) == [
        "iCIMS CustomerId",
        "iCIMS StreamId",
        "Credentials verified",
        "Scopes granted for the chosen features",
        "Bins and statuses imported",
        "Trigger statuses chosen",
        "Webhook placed at iCIMS",
        "Initial sync done",
    ]
    assert [label for label, step in steps.items() if step.done] == ["iCIMS CustomerId"]
    assert steps["Initial sync done"].detail == NOT_DONE_YET
    assert steps["Webhook placed at iCIMS"].detail == (
        f"{NOT_DONE_YET}: ask iCIMS to send events to https://a.goodtime.io/v2/ats/webhook/icims"
    )
    assert connection_onboarding_progress(connection=connection) == "1/8"


def test_the_scopes_step_lists_what_to_ask_for_the_chosen_features(connection):
    connection.interview_sync_enabled = True

    detail = steps_by_label(connection)["Scopes granted for the chosen features"].detail

    assert "interview-service:interview:delete" in detail
    assert "biz-collab-feedback-service:forms:ro" not in detail


def test_stages_tick_the_import_and_only_an_active_trigger_ticks_the_triggers(connection):
    Stage.objects.create(connection=connection, bin="Screen", status="Old", triggers_scheduling=True, is_active=False)

    steps = steps_by_label(connection)
    assert steps["Bins and statuses imported"].done
    assert not steps["Trigger statuses chosen"].done

    Stage.objects.create(connection=connection, bin="Screen", status="Availability requested", triggers_scheduling=True)

    assert steps_by_label(connection)["Trigger statuses chosen"].done


def test_a_fully_onboarded_connection_is_eight_of_eight(connection):
    Stage.objects.create(connection=connection, bin="Screen", status="Ready", triggers_scheduling=True)
    connection.credentials_verified_at = connection.webhook_first_seen_at = connection.initial_sync_done_at = MOMENT

    steps = steps_by_label(connection)

    assert all(step.done for step in steps.values())
    assert steps["Initial sync done"].detail == "done 2026-11-26 09:30 UTC"
    assert connection_onboarding_progress(connection=connection) == "8/8"


def test_a_list_of_connections_is_checked_in_one_query(connection, django_assert_num_queries):
    Stage.objects.create(connection=connection, bin="Screen", status="Ready", triggers_scheduling=True)
    Connection.objects.create(name="Other", customer_id="2")

    with django_assert_num_queries(1):
        progress = [
            connection_onboarding_progress(connection=each)
            for each in connections_with_onboarding_facts(Connection.objects.order_by("name"))
        ]

    assert progress == ["4/8", "1/8"]
