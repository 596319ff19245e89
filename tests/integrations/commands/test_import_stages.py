"""`manage.py import_stages`: the admin's import from the shell."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from integrations.models import Stage
from tests.integrations.stages_corpus import CORPUS_DIR

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_stages", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_adds_the_stages_and_records_the_history(connection, superadmin):
    out, _ = run("--customer-id", "2187", str(CORPUS_DIR / "utf8_bom.csv"))

    assert "utf8_bom.csv for Acme (2187): 11 added, 0 changed, 0 deactivated, 0 unchanged." in out
    assert "Imported stages for Acme (2187) as root: 11 added" in out
    assert connection.stages.count() == 11
    assert LogEntry.objects.filter(user=superadmin, content_type__model="connection").count() == 1


def test_dry_run_prints_the_preview_and_writes_nothing(connection, superadmin):
    out, _ = run("--customer-id", "2187", str(CORPUS_DIR / "valid.xlsx"), "--dry-run")

    assert "9 added" in out and "Dry run: nothing was imported." in out
    assert not Stage.objects.exists() and not LogEntry.objects.exists()


def test_a_reimport_prints_all_unchanged(connection, superadmin):
    run("--customer-id", "2187", str(CORPUS_DIR / "dos_line_endings.csv"))

    out, _ = run("--customer-id", "2187", str(CORPUS_DIR / "header_variations.csv"))

    assert "0 added, 0 changed, 0 deactivated, 8 unchanged" in out


def test_changes_and_deactivations_are_listed(connection, superadmin, tmp_path):
    run("--customer-id", "2187", str(CORPUS_DIR / "dos_line_endings.csv"))
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("Bin,Status,Status ID\nOffer,Offer Sent,C51230\n")

    out, _ = run("--customer-id", "2187", str(smaller), "--dry-run")

    assert "change row 2: Offer / Offer Sent: status: 'Offer Extended' → 'Offer Sent'" in out
    assert "deactivate: Rejected / Not Selected" in out


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_row_errors_are_printed_and_the_command_fails_writing_nothing(connection, superadmin, dry_run):
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 row error"):
        call_command(
            "import_stages",
            "--customer-id",
            "2187",
            str(CORPUS_DIR / "duplicate_ids.csv"),
            *dry_run,
            stdout=out,
            stderr=err,
        )

    assert "Error: Row 10: duplicate Status ID 'C51230': also on row 7." in err.getvalue()
    assert "9 added" not in out.getvalue() and "8 added" in out.getvalue()
    assert not Stage.objects.exists()


def test_a_file_without_status_ids_prints_a_warning(connection, superadmin):
    out, _ = run("--customer-id", "2187", str(CORPUS_DIR / "no_status_id.csv"), "--dry-run")

    assert "Warning: The file has no Status ID column" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--customer-id", "404", str(CORPUS_DIR / "utf8_bom.csv")], "No connection has CustomerId '404'"),
        (["--customer-id", "2187", str(CORPUS_DIR / "nowhere.csv")], "is not a file"),
        (["--customer-id", "2187", str(CORPUS_DIR / "empty.csv")], "The file is empty."),
        (["--customer-id", "2187", str(CORPUS_DIR / "binary_garbage.csv")], "binary data"),
        (["--customer-id", "2187", str(CORPUS_DIR / "missing_columns.csv")], "Missing required column(s): Status"),
        (["--customer-id", "2187", str(CORPUS_DIR / "utf8_bom.csv"), "--user", "nobody"], "No active user 'nobody'"),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(connection, superadmin, args, message):
    with pytest.raises(CommandError) as raised:
        run(*args)

    assert message in str(raised.value)
    assert not Stage.objects.exists()


def test_without_any_superuser_the_history_user_must_be_named(connection, csm):
    with pytest.raises(CommandError, match="pass --user USERNAME"):
        run("--customer-id", "2187", str(CORPUS_DIR / "utf8_bom.csv"))

    run("--customer-id", "2187", str(CORPUS_DIR / "utf8_bom.csv"), "--user", "casey")
    assert LogEntry.objects.filter(user=csm).exists()


def test_a_file_over_the_size_cap_is_refused(connection, superadmin, tmp_path):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as file:
        file.write(b"Bin,Status\n")
        file.truncate(10 * 1024 * 1024 + 1)

    with pytest.raises(CommandError, match="larger than the 10 MB limit"):
        run("--customer-id", "2187", str(huge))


def test_deactivating_more_than_a_quarter_needs_allow_mass_deactivation(connection, superadmin, tmp_path):
    run("--customer-id", "2187", str(CORPUS_DIR / "dos_line_endings.csv"))
    two_rows = tmp_path / "two_rows.csv"
    two_rows.write_text("Bin,Status\nApplied,New Submissions - External Portal\nOffer,Offer Extended\n")

    with pytest.raises(CommandError, match=r"deactivates 6 of the 8 active stages.*--allow-mass-deactivation"):
        run("--customer-id", "2187", str(two_rows))
    assert connection.stages.filter(is_active=True).count() == 8

    out, _ = run("--customer-id", "2187", str(two_rows), "--allow-mass-deactivation")
    assert "6 deactivated" in out
    assert connection.stages.filter(is_active=True).count() == 2


def test_the_realistic_export_with_one_status_name_under_two_bins_imports(connection, superadmin):
    out, _ = run("--customer-id", "2187", str(CORPUS_DIR / "status_name_in_two_bins.csv"))

    assert "11 added" in out
    assert connection.stages.filter(status="Availability Requested").count() == 2
