"""Reading a bins & statuses export: every awkward file in the corpus gets rows, a row error or a
clear file error."""

from __future__ import annotations

import pytest

from integrations.stages_file import MAX_FILE_BYTES, MAX_ROWS, StagesFileError, StagesFileRow, stages_file_read
from tests.integrations.stages_corpus import STANDARD_STAGES, big_export_bytes, corpus_file, xlsx_bytes

STANDARD_ROWS = [
    StagesFileRow(line=line, bin=bin_name, status=status, status_id=status_id)
    for line, (bin_name, status, status_id) in enumerate(STANDARD_STAGES, start=2)
]


def read(name: str):
    return stages_file_read(content=corpus_file(name), file_name=name)


@pytest.mark.parametrize("name", ["utf8_bom.csv", "latin1.csv"])
def test_accented_names_read_the_same_from_utf8_with_bom_and_latin1(name):
    parsed = read(name)

    assert parsed.errors == []
    assert parsed.rows[:8] == STANDARD_ROWS
    assert [(row.bin, row.status) for row in parsed.rows[8:]] == [
        ("Entrevue", "Entrevue planifiée"),
        ("Entrevue", "Prêt à planifier"),
        ("Prüfung", "Geprüft"),
    ]


def test_a_bom_does_not_end_up_in_the_bin_header():
    assert read("utf8_bom.csv").rows[0].bin == "Applied"


def test_dos_line_endings_leave_no_carriage_return_in_the_last_column():
    parsed = read("dos_line_endings.csv")

    assert parsed.rows == STANDARD_ROWS


def test_cp1252_only_characters_are_read():
    content = "Bin,Status,Status ID\nOffer,Offer \u2013 signed \u20ac,C1\n".encode("cp1252")

    assert stages_file_read(content=content, file_name="x.csv").rows[0].status == "Offer \u2013 signed \u20ac"


def test_excel_unicode_text_utf16_is_read():
    content = "Bin\tStatus\tStatus ID\r\nOffer\tOffer Extended\tC51230\r\n".encode("utf-16")

    assert stages_file_read(content=content, file_name="x.txt").rows == [
        StagesFileRow(line=2, bin="Offer", status="Offer Extended", status_id="C51230")
    ]


def test_semicolon_separated_csv_from_a_european_excel_is_read():
    content = b"Bin;Status;Status ID\nOffer;Offer Extended;C51230\n"

    assert stages_file_read(content=content, file_name="x.csv").rows[0].status_id == "C51230"


def test_xlsx_is_read_and_a_numeric_status_id_becomes_text():
    parsed = read("valid.xlsx")

    assert parsed.errors == []
    assert parsed.rows[:8] == STANDARD_ROWS
    assert parsed.rows[8] == StagesFileRow(line=10, bin="Offer", status="Offer Accepted", status_id="51231")


@pytest.mark.parametrize(
    "status_id_header", ["Status ID", "status id", "STATUS_ID", " Status  ID ", "status-id", "StatusID"]
)
def test_header_spellings_are_accepted(status_id_header):
    content = f" BIN ,status,{status_id_header}\nOffer,Offer Extended,C51230\n".encode()

    parsed = stages_file_read(content=content, file_name="x.csv")

    assert parsed.rows == [StagesFileRow(line=2, bin="Offer", status="Offer Extended", status_id="C51230")]
    assert parsed.has_status_ids


def test_the_header_variations_file_reads_like_the_standard_one():
    assert read("header_variations.csv").rows == STANDARD_ROWS


def test_extra_spaces_inside_cells_are_collapsed():
    content = b"Bin,Status,Status ID\n  Offer ,Offer    Extended , C51230 \n"

    assert stages_file_read(content=content, file_name="x.csv").rows[0] == StagesFileRow(
        line=2, bin="Offer", status="Offer Extended", status_id="C51230"
    )


def test_a_file_without_status_id_column_reads_with_a_warning():
    parsed = read("no_status_id.csv")

    assert [row.status_id for row in parsed.rows] == [""] * 8
    assert not parsed.has_status_ids
    assert "no Status ID column" in parsed.warnings[0]


def test_blank_rows_are_skipped_but_row_numbers_match_the_spreadsheet():
    content = b"Bin,Status,Status ID\n\nOffer,Offer Extended,C51230\n,,\nHired,Hired,D10200\n"

    assert [row.line for row in stages_file_read(content=content, file_name="x.csv").rows] == [3, 5]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("header_only.csv", "The file has a header but no rows."),
        ("missing_columns.csv", "Missing required column(s): Status."),
        ("binary_garbage.csv", "not readable text (it contains binary data)"),
    ],
)
def test_unreadable_files_get_a_clear_file_error(name, message):
    with pytest.raises(StagesFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read(name)


def test_a_file_missing_both_required_columns_names_both_and_what_it_found():
    with pytest.raises(StagesFileError) as raised:
        stages_file_read(content=b"Name,Id\nfoo,1\n", file_name="x.csv")

    assert "Missing required column(s): Bin, Status" in str(raised.value)
    assert "found: 'Name', 'Id'" in str(raised.value)


def test_garbage_with_an_xlsx_name_is_not_a_readable_workbook():
    with pytest.raises(StagesFileError, match="not a readable XLSX workbook"):
        stages_file_read(content=b"PK\x03\x04 not really a zip", file_name="stages.xlsx")


def test_a_file_over_the_size_cap_is_refused_before_parsing():
    with pytest.raises(StagesFileError, match="the limit is 10 MB"):
        stages_file_read(content=b"Bin,Status\n" + b"x" * MAX_FILE_BYTES, file_name="big.csv")


def test_a_file_over_the_row_cap_is_refused():
    content = b"Bin,Status\n" + b"".join(b"B,S%d\n" % number for number in range(MAX_ROWS + 1))

    with pytest.raises(StagesFileError, match="more than 50,000 rows"):
        stages_file_read(content=content, file_name="many.csv")


def test_a_5_mb_export_reads_whole():
    # How fast it reads is measured by benchmarks/stages_import.py, not asserted here.
    content = big_export_bytes()

    parsed = stages_file_read(content=content, file_name="big.csv")

    assert len(content) >= 5 * 1024 * 1024
    assert parsed.errors == []
    assert len(parsed.rows) == content.count(b"\n") - 1


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("missing_status.csv", "Row 10: Status is missing."),
        (
            "formula_cell.csv",
            "Row 10: Status \"=cmd|' /C calc'!A0\" looks like a spreadsheet formula (starts with '=')",
        ),
        ("formula_cell.xlsx", "Row 5: Status '=HYPERLINK(\"http://evil.example\")' looks like a spreadsheet formula"),
        ("unreadable_cell.csv", "Row 10: Status has unreadable characters"),
    ],
)
def test_bad_rows_get_an_error_naming_the_row_and_the_cell(name, error):
    parsed = read(name)

    assert len(parsed.errors) == 1
    assert str(parsed.errors[0]).startswith(error)
    # The good rows are still read, for the preview's counts.
    assert parsed.rows == STANDARD_ROWS[: len(parsed.rows)]
    assert parsed.errors[0].line == parsed.rows[-1].line + 1


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_every_formula_prefix_is_refused_in_any_column(prefix):
    content = f"Bin,Status,Status ID\nOffer,Offer Extended,{prefix}1+2\n".encode()

    parsed = stages_file_read(content=content, file_name="x.csv")

    assert parsed.rows == []
    assert f"Status ID '{prefix}1+2' looks like a spreadsheet formula" in str(parsed.errors[0])


def test_a_missing_bin_and_an_overlong_status_are_row_errors():
    content = f"Bin,Status,Status ID\n,Offer Extended,C1\nOffer,{'x' * 201},C2\n".encode()

    errors = [str(error) for error in stages_file_read(content=content, file_name="x.csv").errors]

    assert errors == ["Row 2: Bin is missing.", "Row 3: Status is longer than 200 characters."]


def test_an_active_column_marks_rows_inactive_and_rejects_unknown_words():
    content = b"Bin,Status,Status ID,Active\nOffer,A,C1,yes\nOffer,B,C2,no\nOffer,C,C3,\nOffer,D,C4,maybe\n"

    parsed = stages_file_read(content=content, file_name="x.csv")

    assert [(row.status, row.is_active) for row in parsed.rows] == [("A", True), ("B", False), ("C", True)]
    assert [str(error) for error in parsed.errors] == ["Row 5: Active is 'maybe'; use yes or no."]


def test_an_xlsx_formula_cell_is_reported_not_evaluated():
    content = xlsx_bytes([["Bin", "Status", "Status ID"], ["Offer", "Offer Extended", "=1+1"]])

    parsed = stages_file_read(content=content, file_name="x.xlsx")

    assert "Status ID '=1+1' looks like a spreadsheet formula" in str(parsed.errors[0])


def test_an_xlsx_over_the_row_cap_is_refused_and_blank_rows_do_not_count():
    content = xlsx_bytes([["Bin", "Status"], *[[None, None]] * 10, *[["B", f"S{number}"] for number in range(6)]])

    # A small cap: a 50,000-row workbook is slow to build.
    assert len(stages_file_read(content=content, file_name="six.xlsx", max_rows=6).rows) == 6
    with pytest.raises(StagesFileError, match="more than 5 rows"):
        stages_file_read(content=content, file_name="many.xlsx", max_rows=5)
