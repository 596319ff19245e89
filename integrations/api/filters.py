"""List filters that accept exactly what the schema says they accept.

django-filter is lenient by default: `?active=maybe` or `?connection=` quietly mean "no filter", and an
unknown id in a model choice is a 400. Here a filter that is given must have a value its schema
allows (anything else is a 400 naming it), and an id filter is a plain number: an id this token
cannot see matches nothing, like an id that does not exist, so the answer is an empty page.
"""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.drainage import set_override

from .tenancy import MAX_ID
from .text_fields import NO_NUL_PATTERN

EMPTY_VALUE_MESSAGE = "Give a value, or leave the parameter out."


class ExactCharField(forms.CharField):
    """The value as sent: " 5" is not "5" (Django strips by default)."""

    def __init__(self, *args, **kwargs):
        kwargs["strip"] = False
        super().__init__(*args, **kwargs)


class IdField(ExactCharField):
    """A database id: digits only (no sign, no spaces, no decimals), 1 to MAX_ID."""

    default_error_messages = {"invalid": f"A whole number from 1 to {MAX_ID}."}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if not (value.isascii() and value.isdecimal()) or not 1 <= int(value) <= MAX_ID:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


class SchemaStated:
    """A filter whose schema is `schema`, with its help text as the description (drf-spectacular drops
    the help text of a filter whose schema is given)."""

    schema: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = self.extra.get("help_text")
        set_override(self, "field", {**self.schema, **({"description": help_text} if help_text else {})})


class IdFilter(SchemaStated, django_filters.Filter):
    field_class = IdField
    schema = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}


class StrictBooleanField(ExactCharField):
    """`true` or `false`, as the schema's boolean is written in a query string; nothing else."""

    default_error_messages = {"invalid": "`true` or `false`."}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if value not in ("true", "false"):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value == "true"


class StrictBooleanFilter(SchemaStated, django_filters.Filter):
    field_class = StrictBooleanField
    schema = {"type": "boolean"}


class TextFilter(SchemaStated, django_filters.CharFilter):
    """Free text, matched as sent; empty is refused like every other filter's empty value."""

    field_class = ExactCharField

    schema = {"type": "string", "minLength": 1, "pattern": NO_NUL_PATTERN}


class StrictFilterSet(django_filters.FilterSet):
    """A filter given with an empty value (`?folder=`) is refused, not read as "no filter"."""

    def is_valid(self) -> bool:
        form = self.form
        form.is_valid()  # runs the fields' own checks first
        for name in self.filters:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if name in self.data and any(value == "" for value in values) and name not in form.errors:
                form.add_error(name, EMPTY_VALUE_MESSAGE)
        return form.is_valid()
