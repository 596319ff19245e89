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
