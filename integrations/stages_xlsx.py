"""The first sheet of an XLSX workbook as text rows, with limits on what the file unpacks to.

A workbook is a zip of XML files, so a small upload can stand for a very large sheet. openpyxl's
read-only mode pads every row to the width the sheet *declares* in `<dimension>`: a 1.5 KB file
declaring `A1:XFD1048576` asks for 17 billion cells. This reader never looks at that tag. It streams
the sheet's XML, keeps only the cells that hold a value, and counts rows, columns and cells as they
are read, so a hostile file is refused after reading what it really holds:

- every zip member, and all of them together, must declare an unpacked size under a limit
  (zipfile stops reading a member at its declared size, so the declaration cannot lie);
- a value beyond column `MAX_COLUMNS` is refused;
- more than `MAX_CELLS` cells read (empty ones too) is refused;
- the caller's row limit counts rows that hold a value, as they are read.

openpyxl still reads the workbook's structure and shared strings (both inside the unpacked limit; it
parses them with defusedxml, installed for that); the sheet itself is parsed here, after checking
that it declares no DTD.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from xml.etree.ElementTree import Element, ParseError, iterparse

MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_COLUMNS = 64
MAX_CELLS = 250_000
MAX_CELL_PARTS = 64  # elements inside one cell: a value, a formula, rich-text runs


class XlsxLimitError(ValueError):
    """The workbook is unreadable or over a limit; the message says which, in words for the uploader."""


def xlsx_rows(content: bytes, *, max_rows: int, max_cells: int = MAX_CELLS) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) for each row of the first sheet that holds a value, in order.

    Stops reading one row past `max_rows`, which is enough for the caller to say the file is too long.
    """
    archive = _open_archive(content)
    sheet_path, shared_strings = _first_sheet(archive, content)
    rows: list[tuple[int, list[str]]] = []
    with archive.open(sheet_path) as source:
        _check_prolog(source)
    with archive.open(sheet_path) as source:
        for number, cells in _sheet_rows(source, shared_strings, max_cells=max_cells):
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
                if len(rows) > max_rows + 1:
                    break
    return rows


def _open_archive(content: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise XlsxLimitError(f"The file is not a readable XLSX workbook ({type(error).__name__}).") from error
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES or total > MAX_UNPACKED_BYTES:
            raise XlsxLimitError(
                f"The workbook unpacks to more than {MAX_UNPACKED_BYTES // 1024 // 1024} MB "
                f"({member.filename} alone is {member.file_size / 1024 / 1024:.0f} MB); "
                "save the bins & statuses export again, or upload it as CSV."
            )
    return archive


def _first_sheet(archive: zipfile.ZipFile, content: bytes) -> tuple[str, list[str]]:
    """The first sheet's path in the zip and the shared strings, read by openpyxl (within the limits above)."""
    import openpyxl  # imported here: only XLSX uploads pay for it

    try:
        # read_only: openpyxl reads the structure and strings now and leaves the sheets to us.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError, TypeError) as error:
        raise XlsxLimitError(f"The file is not a readable XLSX workbook ({type(error).__name__}).") from error
    try:
        if not workbook.worksheets:
            raise XlsxLimitError("The workbook has no sheet.")
        sheet = workbook.worksheets[0]
        # openpyxl keeps both privately; pinned in requirements.txt, and the tests read real workbooks.
        return sheet._worksheet_path, [str(text) for text in sheet._shared_strings]
    finally:
        workbook.close()


@lru_cache(maxsize=256)
def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_ROOT_START = re.compile(rb"<[A-Za-z_]")
MAX_PROLOG_BYTES = 64 * 1024


def _check_prolog(source: Any) -> None:
    """Refuse a sheet that declares a DTD. Entities can only be declared in a DOCTYPE before the root
    element, so reading up to the root start tag is enough to rule out entity expansion (billion
    laughs) for the whole sheet; the rest is then parsed by the fast C parser."""
    prolog = source.read(MAX_PROLOG_BYTES)
    root = _ROOT_START.search(prolog)
    head = prolog if root is None else prolog[: root.start()]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise XlsxLimitError("The sheet declares a DTD or entities; save the export again from Excel.")
    if root is None:
        raise XlsxLimitError("The sheet is not readable XML (no root element near its start).")


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + (ord(char.upper()) - 64)
    return number


def _cell_text(cell: Element, shared_strings: list[str]) -> str:
    kind = cell.get("t", "n")
    value = formula = None
    inline: list[str] = []
    for child in cell.iter():
        name = _local(child.tag)
        if name == "v":
            value = child.text
        elif name == "f":
            formula = child.text or ""
        elif name == "t" and kind == "inlineStr":
            inline.append(child.text or "")
    if formula is not None:
        return "=" + formula  # shown as written, so the caller reports it rather than trusting a cached result
    if kind == "inlineStr":
        return "".join(inline)
    if value is None:
        return ""
    if kind == "s":
        index = int(value) if value.isdecimal() else -1
        if not 0 <= index < len(shared_strings):
            raise XlsxLimitError("The workbook refers to a shared string it does not hold.")
        return shared_strings[index]
    if kind == "b":
        return "TRUE" if value == "1" else "FALSE"
    if kind == "n":
        return _number_text(value)
    return value


def _number_text(value: str) -> str:
    # A numeric status id typed into Excel is stored as 51218 or 51218.0: both mean "51218".
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else value


def _sheet_rows(source: Any, shared_strings: list[str], *, max_cells: int) -> Iterator[tuple[int, list[str]]]:
    """Rows as they are read. Each element is dropped from the tree once read (a cell's parts when the
    cell is), so memory holds one cell at a time, however many rows, columns or other elements come."""
    row_number = cells_read = parts_in_cell = 0
    column = 0
    values: dict[int, str] = {}
    parents: list[Element] = []
    in_cell = False
    try:
        # The prolog was checked for a DTD (_check_prolog): no entity can be declared past it.
        for event, element in iterparse(source, events=("start", "end")):  # noqa: S314
            name = _local(element.tag)
            if event == "start":
                if name == "row":
                    reference = element.get("r", "")
                    row_number = int(reference) if reference.isdecimal() else row_number + 1
                    column, values = 0, {}
                elif name == "c":
                    in_cell, parts_in_cell = True, 0
                elif in_cell:
                    parts_in_cell += 1
                    if parts_in_cell > MAX_CELL_PARTS:
                        raise XlsxLimitError(f"A cell in row {row_number} has more than {MAX_CELL_PARTS} parts.")
                parents.append(element)
                continue
            parents.pop()
            if name == "c":
                in_cell = False
                cells_read += 1
                if cells_read > max_cells:
                    raise XlsxLimitError(f"The sheet has more than {max_cells:,} cells; this is not a stages export.")
                reference = element.get("r", "")
                column = _column_number(reference) if reference else column + 1
                text = _cell_text(element, shared_strings)
                if text.strip():
                    if column > MAX_COLUMNS:
                        raise XlsxLimitError(
                            f"The sheet has a value in column {reference.rstrip('0123456789') or column}; "
                            f"a stages export has at most {MAX_COLUMNS} columns."
                        )
                    values[column] = text
            elif name == "row":
                width = max(values, default=0)
                yield row_number, [values.get(index, "") for index in range(1, width + 1)]
            if parents and not in_cell:
                parents[-1].remove(element)
    except ParseError as error:
        raise XlsxLimitError(f"The sheet is not readable XML ({error}).") from error
