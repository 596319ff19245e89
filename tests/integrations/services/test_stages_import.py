"""Planning and applying a stages import: identity by Status ID (else bin + status), disappeared
stages deactivated, never deleted, and all or nothing."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import DatabaseError

from integrations.models import Connection, Stage
from integrations.services.stages_import import (
    StagesImportRejected,
    StagesMassDeactivationUnconfirmed,
    stages_import_apply,
    stages_import_plan,
    stages_import_preview,
)
from integrations.stages_file import StagesFileError, StagesFileRow
from tests.integrations.stages_corpus import STANDARD_STAGES, big_export_bytes, corpus_file

pytestmark = pytest.mark.django_db


def preview(connection, name: str):
    return stages_import_preview(connection=connection, content=corpus_file(name), file_name=name)


def import_file(connection, name: str, user, content: bytes | None = None):
    plan = stages_import_preview(connection=connection, content=content or corpus_file(name), file_name=name)
    assert plan.errors == []
    return stages_import_apply(connection=connection, rows=plan.rows, file_name=name, user_id=user.pk)


def stored(connection) -> list[tuple[str, str, str, bool]]:
    return list(connection.stages.order_by("position").values_list("bin", "status", "status_id", "is_active"))


def snapshot(connection) -> list[tuple]:
    return list(
        connection.stages.order_by("pk").values_list(
            "pk", "bin", "status", "status_id", "is_active", "position", "updated_at"
        )
    )


def csv_bytes(*rows: tuple[str, ...], header: str = "Bin,Status,Status ID") -> bytes:
    return ("\n".join([header, *(",".join(row) for row in rows)]) + "\n").encode()


def test_a_first_import_adds_every_stage_in_file_order(connection, superadmin):
    plan = import_file(connection, "dos_line_endings.csv", superadmin)

    assert (len(plan.added), len(plan.changed), len(plan.kept), len(plan.deactivated)) == (8, 0, 0, 0)
    assert stored(connection) == [(*stage, True) for stage in STANDARD_STAGES]
    assert list(connection.stages.order_by("position").values_list("position", flat=True)) == list(range(8))


def test_the_preview_writes_nothing(connection):
    plan = preview(connection, "dos_line_endings.csv")

    assert len(plan.added) == 8
    assert not Stage.objects.exists()
    assert not LogEntry.objects.exists()


def test_reimporting_the_same_file_keeps_every_stage_and_changes_nothing(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)
    before = snapshot(connection)

    plan = import_file(connection, "dos_line_endings.csv", superadmin)

    assert (len(plan.added), len(plan.changed), len(plan.kept), len(plan.deactivated)) == (0, 0, 8, 0)
    assert snapshot(connection) == before
    assert not LogEntry.objects.filter(
        object_repr__in=[str(stage) for stage in connection.stages.all()], action_flag=CHANGE
    ).exists()


@pytest.mark.parametrize("name", ["header_variations.csv", "valid.xlsx"])
def test_the_same_stages_in_another_format_are_kept(connection, superadmin, name):
    import_file(connection, "dos_line_endings.csv", superadmin)

    plan = preview(connection, name)

    assert len(plan.kept) == 8
    assert plan.changed == [] and plan.deactivated == []


def test_a_renamed_status_with_the_same_id_is_a_change_not_a_new_stage(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)
    offer = connection.stages.get(status_id="C51230")
    rows = [*STANDARD_STAGES[:5], ("Offers", "Offer Sent", "C51230"), *STANDARD_STAGES[6:]]

    plan = import_file(connection, "renamed.csv", superadmin, content=csv_bytes(*rows))

    assert [planned.stage_id for planned in plan.changed] == [offer.pk]
    assert plan.changed[0].differences == ["bin: 'Offer' → 'Offers'", "status: 'Offer Extended' → 'Offer Sent'"]
    offer.refresh_from_db()
    assert (offer.bin, offer.status) == ("Offers", "Offer Sent")
    assert connection.stages.count() == 8


def test_a_stage_missing_from_the_file_is_deactivated_not_deleted(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)

    plan = import_file(connection, "fewer.csv", superadmin, content=csv_bytes(*STANDARD_STAGES[:7]))

    assert [(planned.after.status, planned.after.is_active) for planned in plan.deactivated] == [
        ("Not Selected", False)
    ]
    assert connection.stages.count() == 8
    assert connection.stages.get(status_id="D10300").is_active is False


def test_an_inactive_stage_that_reappears_is_reactivated_as_a_change(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)
    import_file(connection, "fewer.csv", superadmin, content=csv_bytes(*STANDARD_STAGES[:7]))

    plan = import_file(connection, "dos_line_endings.csv", superadmin)

    assert [planned.differences for planned in plan.changed] == [["active: False → True"]]
    assert connection.stages.filter(is_active=True).count() == 8


def test_an_already_inactive_stage_still_missing_is_not_listed_again(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)
    import_file(connection, "fewer.csv", superadmin, content=csv_bytes(*STANDARD_STAGES[:7]))

    plan = preview(connection, "dos_line_endings.csv")
    plan_again = stages_import_plan(connection=connection, rows=plan.rows[:7], file_name="fewer.csv")

    assert plan_again.deactivated == []
    assert len(plan_again.kept) == 7


def test_without_status_ids_stages_match_by_bin_and_status_and_keep_their_ids(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)

    plan = preview(connection, "no_status_id.csv")

    assert len(plan.kept) == 8
    assert "no Status ID column" in plan.warnings[0]


def test_a_stage_imported_without_an_id_gets_it_from_a_later_file(connection, superadmin):
    import_file(connection, "no_status_id.csv", superadmin)
    assert set(connection.stages.values_list("status_id", flat=True)) == {""}

    plan = import_file(connection, "dos_line_endings.csv", superadmin)

    assert len(plan.changed) == 8
    assert plan.changed[0].differences == ["status id: '' → 'D10100'"]
    assert connection.stages.count() == 8


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("duplicate_ids.csv", "Row 10: duplicate Status ID 'C51230': also on row 7."),
        (
            "status_id_under_two_bins.csv",
            "Row 10: Status ID 'C51219' is under two bins: 'Rejected' here and "
            "'Interview' on row 6. A status id is one stage, in one bin.",
        ),
        ("missing_status.csv", "Row 10: Status is missing."),
        ("formula_cell.csv", "Row 10: Status \"=cmd|' /C calc'!A0\" looks like a spreadsheet formula"),
        ("unreadable_cell.csv", "Row 10: Status has unreadable characters"),
    ],
)
def test_a_file_with_a_bad_row_previews_the_error_and_cannot_be_applied(connection, superadmin, name, error):
    import_file(connection, "dos_line_endings.csv", superadmin)
    before = snapshot(connection)
    log_count = LogEntry.objects.count()

    plan = preview(connection, name)

    assert [str(e)[: len(error)] for e in plan.errors] == [error]
    assert not plan.can_apply
    assert snapshot(connection) == before
    assert LogEntry.objects.count() == log_count


@pytest.mark.parametrize("name", ["duplicate_ids.csv", "status_id_under_two_bins.csv"])
def test_applying_rows_that_conflict_with_each_other_is_rejected_and_writes_nothing(connection, superadmin, name):
    import_file(connection, "dos_line_endings.csv", superadmin)
    before = snapshot(connection)
    log_count = LogEntry.objects.count()
    rows = preview(connection, name).rows

    with pytest.raises(StagesImportRejected) as rejected:
        stages_import_apply(connection=connection, rows=rows, file_name=name, user_id=superadmin.pk)

    assert [error.line for error in rejected.value.plan.errors] == [10]
    assert snapshot(connection) == before
    assert LogEntry.objects.count() == log_count


def test_the_same_status_twice_in_one_bin_is_an_error(connection):
    plan = stages_import_plan(
        connection=connection,
        file_name="x.csv",
        rows=[
            StagesFileRow(line=2, bin="Offer", status="Offer Extended", status_id=""),
            StagesFileRow(line=3, bin="Offer", status="offer extended", status_id=""),
        ],
    )

    assert [str(error) for error in plan.errors] == [
        "Row 3: duplicate status 'offer extended' in bin 'Offer': also on row 2."
    ]


@pytest.mark.parametrize("name", ["empty.csv", "missing_columns.csv", "binary_garbage.csv", "header_only.csv"])
def test_an_unreadable_file_is_refused_before_any_plan(connection, name):
    with pytest.raises(StagesFileError):
        preview(connection, name)
    assert not Stage.objects.exists()


def test_apply_replans_against_the_stages_stored_at_confirm_time(connection, superadmin):
    plan = preview(connection, "dos_line_endings.csv")
    assert len(plan.added) == 8
    # Between preview and confirm, someone stored "Hired" under another name with the same id.
    Stage.objects.create(connection=connection, bin="Hired", status="Hired (old)", status_id="D10200")

    applied = stages_import_apply(connection=connection, rows=plan.rows, file_name="x.csv", user_id=superadmin.pk)

    assert (len(applied.added), len(applied.changed)) == (7, 1)
    assert connection.stages.count() == 8


def test_a_database_failure_halfway_leaves_the_stages_as_they_were(connection, superadmin, monkeypatch):
    import_file(connection, "dos_line_endings.csv", superadmin)
    before = snapshot(connection)
    plan = preview(connection, "latin1.csv")  # 3 more stages
    rows = [
        StagesFileRow(line=row.line, bin=row.bin, status=row.status + " v2", status_id=row.status_id)
        for row in plan.rows
    ]

    def history_write_fails(*args, **kwargs):
        raise DatabaseError("disk full")

    # The history is written last: if it fails, the stages written before it must be rolled back.
    monkeypatch.setattr(LogEntry.objects, "bulk_create", history_write_fails)
    with pytest.raises(DatabaseError):
        stages_import_apply(connection=connection, rows=rows, file_name="latin1.csv", user_id=superadmin.pk)

    assert snapshot(connection) == before


def test_the_history_records_who_imported_what(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)
    import_file(
        connection,
        "fewer.csv",
        superadmin,
        content=csv_bytes(*STANDARD_STAGES[:5], ("Offer", "Offer Sent", "C51230"), ("Hired", "Hired", "D10200")),
    )

    summary = LogEntry.objects.filter(object_id=str(connection.pk), content_type__model="connection")
    assert list(summary.order_by("pk").values_list("change_message", flat=True)) == [
        "Imported stages from file dos_line_endings.csv: 8 added, 0 changed, 0 deactivated, 0 unchanged.",
        "Imported stages from file fewer.csv: 0 added, 1 changed, 1 deactivated, 6 unchanged.",
    ]
    assert {entry.user for entry in LogEntry.objects.all()} == {superadmin}
    offer = connection.stages.get(status_id="C51230")
    assert list(
        LogEntry.objects.filter(object_id=str(offer.pk), content_type__model="stage")
        .order_by("pk")
        .values_list("action_flag", "change_message")
    ) == [
        (ADDITION, "Stages import from dos_line_endings.csv: added."),
        (CHANGE, "Stages import from fewer.csv: status: 'Offer Extended' → 'Offer Sent'."),
    ]
    rejected = connection.stages.get(status_id="D10300")
    assert LogEntry.objects.get(object_id=str(rejected.pk), action_flag=CHANGE).change_message == (
        "Stages import from fewer.csv: active: True → False."
    )


def test_deactivating_a_trigger_or_an_advance_to_target_warns(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)
    trigger = connection.stages.get(status_id="C51218")
    trigger.triggers_scheduling = True
    trigger.advance_to = connection.stages.get(status_id="C51219")
    trigger.save()

    plan = stages_import_plan(
        connection=connection,
        file_name="x.csv",
        rows=[
            StagesFileRow(line=2, bin="Interview", status="Ready to Schedule Interview", status_id="C51218"),
        ],
    )

    assert (
        "Interview / Ready to Schedule Interview advances candidates to Interview / Interview Scheduled, "
        "which becomes inactive: pick another advance-to status." in plan.warnings
    )


def test_imports_are_scoped_to_their_connection(connection, superadmin):
    other = Connection.objects.create(name="Globex", customer_id="9999")
    import_file(other, "dos_line_endings.csv", superadmin)

    plan = import_file(connection, "dos_line_endings.csv", superadmin)

    assert len(plan.added) == 8
    assert other.stages.filter(is_active=True).count() == 8


def test_a_5_mb_export_imports_and_reimports_every_row(connection, superadmin):
    # How long this takes and how much memory it needs: benchmarks/stages_import.py.
    content = big_export_bytes()

    plan = import_file(connection, "big.csv", superadmin, content=content)
    again = stages_import_preview(connection=connection, content=content, file_name="big.csv")

    rows = content.count(b"\n") - 1
    assert len(plan.added) == rows and connection.stages.count() == rows
    assert len(again.kept) == rows


def test_one_status_name_under_two_bins_is_two_stages_told_apart_by_their_ids(connection, superadmin):
    plan = import_file(connection, "status_name_in_two_bins.csv", superadmin)

    assert len(plan.added) == 11
    assert sorted(connection.stages.filter(status="Not Selected").values_list("bin", "status_id")) == [
        ("Interview", "C51220"),
        ("Rejected", "D10300"),
    ]
    again = preview(connection, "status_name_in_two_bins.csv")
    assert (len(again.kept), again.errors) == (11, [])


def test_a_quarter_deactivated_is_fine_but_more_needs_the_explicit_confirmation(connection, superadmin):
    import_file(connection, "dos_line_endings.csv", superadmin)  # 8 active stages
    six = b"Bin,Status,Status ID\n" + b"".join(f"{b},{s},{i}\n".encode() for b, s, i in STANDARD_STAGES[:6])
    plan_two_gone = stages_import_preview(connection=connection, content=six, file_name="six.csv")
    assert (len(plan_two_gone.deactivated), plan_two_gone.deactivates_many) == (2, False)

    five = b"Bin,Status,Status ID\n" + b"".join(f"{b},{s},{i}\n".encode() for b, s, i in STANDARD_STAGES[:5])
    plan = stages_import_preview(connection=connection, content=five, file_name="five.csv")
    assert (len(plan.deactivated), plan.deactivates_many) == (3, True)
    assert plan.warnings[0].startswith("This file deactivates 3 of the 8 active stages.")
    before = snapshot(connection)

    with pytest.raises(StagesMassDeactivationUnconfirmed):
        stages_import_apply(connection=connection, rows=plan.rows, file_name="five.csv", user_id=superadmin.pk)
    assert snapshot(connection) == before

    stages_import_apply(
        connection=connection, rows=plan.rows, file_name="five.csv", user_id=superadmin.pk, allow_mass_deactivation=True
    )
    assert connection.stages.filter(is_active=True).count() == 5
