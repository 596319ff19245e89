"""Reading a tenant's bins & statuses export (CSV or XLSX) into plain rows.

This module knows file formats only: encodings, line endings, header spellings and cell hygiene.
Matching the rows against the stages already stored is `services/stages_import.py`'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from .stages_xlsx import XlsxLimitError, xlsx_rows

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000

BIN, STATUS, STATUS_ID, ACTIVE = "Bin", "Status", "Status ID", "Active"
REQUIRED_COLUMNS = (BIN, STATUS)
# Header cells are compared with case, spaces, underscores and dashes removed: "STATUS_ID" is "Status ID".
KNOWN_COLUMNS = {"bin": BIN, "status": STATUS, "statusid": STATUS_ID, "active": ACTIVE}
MAX_LENGTHS = {BIN: 200, STATUS: 200, STATUS_ID: 64}

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ACTIVE_WORDS = {
    "": True,
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "active": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "inactive": False,
}
# Control characters other than tab, and the replacement character a failed decode leaves behind.
UNREADABLE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
XLSX_MAGIC = b"PK\x03\x04"


class StagesFileError(Exception):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass(frozen=True)
class StagesFileRow:
    line: int  # the row number a spreadsheet shows: the header is row 1
    bin: str
    status: str
    status_id: str
    is_active: bool = True


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Row {self.line}: {self.message}"


@dataclass
class StagesFile:
    rows: list[StagesFileRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    has_status_ids: bool = True


def stages_file_read(*, content: bytes, file_name: str, max_rows: int = MAX_ROWS) -> StagesFile:
    """Parse an export into rows and per-row errors. Raises StagesFileError for a file that is
    empty, too large, unreadable or missing a required column."""
    if len(content) > MAX_FILE_BYTES:
        raise StagesFileError(
            f"The file is {len(content) / 1024 / 1024:.1f} MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB."
        )
    if not content.strip():
        raise StagesFileError("The file is empty.")
    if file_name.lower().endswith(".xlsx") or content.startswith(XLSX_MAGIC):
        try:
            numbered = xlsx_rows(content, max_rows=max_rows)
        except XlsxLimitError as error:
            raise StagesFileError(str(error)) from error
    else:
        numbered = _numbered_rows(_csv_table(content))
    return _rows_from_table(numbered, max_rows=max_rows)


def _numbered_rows(table: list[list[str]]) -> list[tuple[int, list[str]]]:
    # Blank rows are skipped but still counted, so row numbers match what a spreadsheet shows.
    return [(number, row) for number, row in enumerate(table, start=1) if any(cell.strip() for cell in row)]


def _csv_table(content: bytes) -> list[list[str]]:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        content = content.decode("utf-16").encode("utf-8")
    if b"\x00" in content:
        raise StagesFileError(
            "The file is not readable text (it contains binary data). Upload the bins & statuses export as CSV or XLSX."
        )
    text = _decode(content)
    # Excel in many European locales saves "CSV" with semicolons; the header line says which.
    header_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise StagesFileError(f"The file is not a readable CSV: {error}.") from error


def _decode(content: bytes) -> str:
    """UTF-8 (with or without BOM) first; exports saved by Excel on Windows are cp1252 or Latin-1."""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StagesFileError("The file's text encoding could not be read; save it as UTF-8 CSV.")  # pragma: no cover


def _normalised_header(cell: str) -> str:
    return re.sub(r"[\s_\-]+", "", cell.replace("\ufeff", "")).lower()


def _rows_from_table(numbered: list[tuple[int, list[str]]], *, max_rows: int) -> StagesFile:
    """Rows that hold a value, each with the number a spreadsheet shows for it."""
    if not numbered:
        raise StagesFileError("The file is empty.")
    (_, header), body = numbered[0], numbered[1:]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = KNOWN_COLUMNS.get(_normalised_header(cell))
        if name and name not in columns:
            columns[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = ", ".join(repr(cell.strip()) for cell in header if cell.strip()) or "none"
        raise StagesFileError(
            f"Missing required column(s): {', '.join(missing)}. The columns must be Bin, Status and Status ID; "
            f"found: {found}."
        )
    if not body:
        raise StagesFileError("The file has a header but no rows.")
    if len(body) > max_rows:
        raise StagesFileError(f"The file has more than {max_rows:,} rows; split it or check it is the right export.")

    parsed = StagesFile(has_status_ids=STATUS_ID in columns)
    if not parsed.has_status_ids:
        parsed.warnings.append(
            "The file has no Status ID column: stages are matched by bin and status name, and candidates cannot be "
            "advanced to them until their iCIMS status ids are known."
        )
    for line, cells in body:
        values = {name: (cells[index] if index < len(cells) else "") for name, index in columns.items()}
        row_errors = _cell_errors(line, values)
        values = {name: " ".join(value.split()) for name, value in values.items()}
        if not values[BIN]:
            row_errors.append(RowError(line, "Bin is missing."))
        if not values[STATUS]:
            row_errors.append(RowError(line, "Status is missing."))
        active_word = values.get(ACTIVE, "").lower()
        if active_word not in ACTIVE_WORDS:
            row_errors.append(RowError(line, f"Active is {values[ACTIVE]!r}; use yes or no."))
        if row_errors:
            parsed.errors.extend(row_errors)
            continue
        parsed.rows.append(
            StagesFileRow(
                line=line,
                bin=values[BIN],
                status=values[STATUS],
                status_id=values.get(STATUS_ID, ""),
                is_active=ACTIVE_WORDS[active_word],
            )
        )
    return parsed


def _cell_errors(line: int, values: dict[str, str]) -> list[RowError]:
    errors = []
    for name, value in values.items():
        if UNREADABLE_CHARACTERS.search(value):
            errors.append(RowError(line, f"{name} has unreadable characters (a wrong encoding or binary data)."))
        elif value.startswith(FORMULA_PREFIXES) or value.strip().startswith(FORMULA_PREFIXES):
            errors.append(
                RowError(
                    line,
                    f"{name} {value[:40]!r} looks like a spreadsheet formula (starts with {value[0]!r}); "
                    "remove the leading character.",
                )
            )
        elif len(value.strip()) > MAX_LENGTHS.get(name, 200):
            errors.append(RowError(line, f"{name} is longer than {MAX_LENGTHS.get(name, 200)} characters."))
    return errors


def stages_rows_dump(rows: list[StagesFileRow]) -> list[list]:
    """Rows as JSON-friendly lists, small enough to keep in the session between preview and confirm."""
    return [[row.line, row.bin, row.status, row.status_id, row.is_active] for row in rows]


def stages_rows_load(data: list[list]) -> list[StagesFileRow]:
    return [
        StagesFileRow(line=line, bin=bin_name, status=status, status_id=status_id, is_active=is_active)
        for line, bin_name, status, status_id, is_active in data
    ]
