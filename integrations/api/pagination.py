"""Cursor pagination by a unique, never-changing integer column: stable under concurrent writes.

The cursor is short and its whole format is in the schema (`CURSOR_PATTERN`), so a client (or a
fuzzer) knows what the API accepts: `n` (forward) or `p` (backward), the position (the ordering
column's value, digits; none at the start), then `o` and an offset when several rows share a
position. Clients should still pass back the `next` and `previous` links exactly as given; a cursor
outside the format is a 400.
"""

from __future__ import annotations

import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.utils.urls import replace_query_param

MAX_POSITION_DIGITS = 18  # ids up to 10**18 - 1, as in URLs (tenancy.ID_PATTERN): never past a bigint
MAX_OFFSET_DIGITS = 4  # DRF caps the offset at offset_cutoff (1000) anyway
CURSOR_PATTERN = rf"^[np][0-9]{{0,{MAX_POSITION_DIGITS}}}(o[0-9]{{1,{MAX_OFFSET_DIGITS}}})?$"
_CURSOR = re.compile(
    rf"(?P<direction>[np])(?P<position>[0-9]{{0,{MAX_POSITION_DIGITS}}})(?:o(?P<offset>[0-9]{{1,{MAX_OFFSET_DIGITS}}}))?"
)


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_cursor_message = "Invalid cursor: pass back the `next` or `previous` link exactly as given."

    def get_page_size(self, request):
        # DRF quietly falls back to the default for a bad page_size; the schema says 1 to max_page_size, so hold to it.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdecimal()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = (
                    f"Results per page, 1 to {self.max_page_size} (default {self.page_size}); anything else is a 400."
                )
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "pattern": CURSOR_PATTERN}
                parameter["description"] = (
                    "Where the page starts: pass back the `next` or `previous` link exactly as given "
                    "(leave it out for the first page). A cursor outside the pattern is a 400 `invalid`."
                )
        return parameters

    def decode_cursor(self, request):
        # DRF answers a bad cursor with 404; it is a bad parameter, so a 400 naming it.
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        match = _CURSOR.fullmatch(encoded)
        if match is None:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return Cursor(
            offset=min(int(match["offset"] or 0), self.offset_cutoff),
            reverse=match["direction"] == "p",
            position=match["position"] or None,
        )

    def encode_cursor(self, cursor):
        encoded = "{direction}{position}{offset}".format(
            direction="p" if cursor.reverse else "n",
            position=cursor.position if cursor.position is not None else "",
            offset=f"o{cursor.offset}" if cursor.offset else "",
        )
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)


class IcimsIdCursorPagination(IdCursorPagination):
    ordering = "icims_id"


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"
