"""Reading XLSX sheets with limits on what the file unpacks to: hostile workbooks get a clear error."""

from __future__ import annotations

import io

import pytest

from integrations.stages_file import StagesFileError, stages_file_read
from integrations.stages_xlsx import XlsxLimitError, _check_prolog, xlsx_rows
from tests.fixtures.stages.hostile_xlsx import (
    HEADER_ROW,
    dimension_bomb,
    far_column_value,
    many_empty_cells,
    replace_member,
    unpacked_size_bomb,
    workbook_with_sheet,
)


@pytest.mark.parametrize("dimension", ["A1:XFD8000", "A1:XFD1048576"])
def test_the_dimension_bomb_is_refused_with_a_clear_error(dimension):
    content = dimension_bomb(dimension)
    assert len(content) < 2000

    with pytest.raises(StagesFileError) as refused:
        stages_file_read(content=content, file_name="stages.xlsx")

    assert str(refused.value) == "The sheet has a value in column XFD; a stages export has at most 64 columns."


def test_the_declared_dimension_is_ignored_and_only_real_cells_are_read():
    content = dimension_bomb("A1:XFD1048576", value_in_last_cell=False)

    parsed = stages_file_read(content=content, file_name="stages.xlsx")

    assert [(row.line, row.bin, row.status, row.status_id) for row in parsed.rows] == [
        (2, "Interview", "Ready to Schedule Interview", "51218")
    ]


def test_a_value_far_to_the_right_is_refused():
    with pytest.raises(XlsxLimitError, match="column XFD"):
        xlsx_rows(far_column_value(), max_rows=10)


def test_too_many_cells_are_refused_even_when_empty():
    with pytest.raises(XlsxLimitError, match="more than 1,000 cells"):
        xlsx_rows(many_empty_cells(1001), max_rows=10, max_cells=1000)


def test_the_cell_limit_counts_cells_not_rows():
    assert xlsx_rows(many_empty_cells(990), max_rows=10, max_cells=1000)[0][0] == 1


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_reading():
    content = unpacked_size_bomb(65)
    assert len(content) < 200_000

    with pytest.raises(XlsxLimitError, match="unpacks to more than 64 MB"):
        xlsx_rows(content, max_rows=10)


def test_rows_are_counted_as_read_and_reading_stops_past_the_limit():
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>B</t></is></c></row>' for n in range(2, 40))

    read = xlsx_rows(workbook_with_sheet(HEADER_ROW + rows), max_rows=5)

    assert [number for number, _ in read] == [1, 2, 3, 4, 5, 6, 7]


def test_blank_rows_keep_the_row_numbers_a_spreadsheet_shows():
    sheet = HEADER_ROW + '<row r="7"><c r="B7" t="inlineStr"><is><t>Hired</t></is></c><c r="D7"><v>12.0</v></c></row>'

    assert xlsx_rows(workbook_with_sheet(sheet), max_rows=5)[1] == (7, ["", "Hired", "", "12"])


def test_shared_strings_booleans_and_formulas_are_read_as_text():
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        "<si><t>Offer</t></si></sst>"
    )
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="b"><v>1</v></c><c r="C1"><f>SUM(1,2)</f><v>3</v></c></row>'
    )
    content = workbook_with_sheet(sheet, extra_members={"xl/sharedStrings.xml": shared.encode()})

    assert xlsx_rows(content, max_rows=5) == [(1, ["Offer", "TRUE", "=SUM(1,2)"])]


def test_a_shared_string_the_workbook_does_not_hold_is_refused():
    with pytest.raises(XlsxLimitError, match="shared string"):
        xlsx_rows(workbook_with_sheet('<row r="1"><c r="A1" t="s"><v>7</v></c></row>'), max_rows=5)


def test_a_sheet_that_is_not_xml_is_refused():
    content = workbook_with_sheet("<row><c>")

    with pytest.raises(XlsxLimitError, match="not readable XML"):
        xlsx_rows(content, max_rows=5)


def test_a_sheet_declaring_entities_is_refused():
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    content = workbook_with_sheet("")
    content = replace_member(content, "xl/worksheets/sheet1.xml", sheet.encode())

    with pytest.raises(XlsxLimitError, match=r"not a readable XLSX workbook \(ValueError\)"):
        xlsx_rows(content, max_rows=5)
    # The sheet parser checks the prolog itself too, whatever openpyxl does with the dimension.
    with pytest.raises(XlsxLimitError, match="declares a DTD or entities"):
        _check_prolog(io.BytesIO(sheet.encode()))
