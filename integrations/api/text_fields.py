"""Text the API accepts, stated as patterns so the schema says exactly what a request may hold.

Two rules DRF and the services enforce that a bare `type: string` does not say: no NUL character
anywhere (PostgreSQL cannot store one), and a required text holds more than whitespace (it is trimmed,
and the services refuse a blank id or title). Both become a RegexValidator, which drf-spectacular
writes into the schema as the field's `pattern`. And the other way round: DRF reads a number as text
(5 becomes "5"), which `type: string` does not allow; these fields take JSON strings only.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from rest_framework import serializers

# \u0000 is read as NUL by Python's re and by ECMA-262 (JSON Schema) patterns alike.
NO_NUL_PATTERN = r"^[^\u0000]*$"
NOT_BLANK_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"

NO_NUL_MESSAGE = "Null characters are not allowed."
NOT_BLANK_MESSAGE = "Needs a character other than whitespace; no null characters."


class TextField(serializers.CharField):
    """A JSON string and nothing else (DRF's CharField also takes numbers)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def text_field(*, blank: bool = False, pattern: str | None = None, message: str | None = None, **kwargs) -> TextField:
    """A CharField whose schema pattern is what it accepts: not blank unless `blank=True` (an optional,
    emptiable text); `pattern` for a stricter rule, which must itself exclude NUL and blank."""
    if pattern is None:
        pattern, message = (NO_NUL_PATTERN, NO_NUL_MESSAGE) if blank else (NOT_BLANK_PATTERN, NOT_BLANK_MESSAGE)
    return TextField(allow_blank=blank, validators=[RegexValidator(pattern, message)], **kwargs)
