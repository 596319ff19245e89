"""Cursor pagination by a unique, never-changing integer column: stable under concurrent writes."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

MAX_POSITION = 2**63 - 1


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
        if not raw.isdecimal() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = f"Results per page, 1 to {self.max_page_size} (default {self.page_size})."
        return parameters

    def decode_cursor(self, request):
        # DRF answers a bad cursor with 404; it is a bad parameter. A forged position that is not a
        # number would reach the database as a filter value: refuse it here.
        try:
            cursor = super().decode_cursor(request)
        except Exception:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        if cursor is not None and cursor.position is not None:
            position = cursor.position.lstrip("-")
            if not position.isdecimal() or int(position) > MAX_POSITION:
                raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor


class IcimsIdCursorPagination(IdCursorPagination):
    ordering = "icims_id"


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"
