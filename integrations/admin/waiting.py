"""Work that waits for its turn (webhook events, write-backs): a list column and filter, so anything
waiting longer than an hour stands out as such."""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from ..services.work_waits import WAITING_LONG


class WaitingFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", "waiting for its turn"), ("long", "waiting over an hour")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(waiting_since__isnull=False)
        if self.value() == "long":
            return queryset.filter(waiting_since__lt=timezone.now() - WAITING_LONG)
        return queryset


def waiting_label(*, since: datetime | None, until: datetime | None, reason: str) -> str:
    """E.g. "over an hour, until 11-28 00:00 UTC (Call budget spent)", the whole reason on hover.
    Empty: not waiting."""
    if since is None:
        return ""
    how_long = "over an hour" if timezone.now() - since > WAITING_LONG else "waiting"
    until_text = f"until {until:%m-%d %H:%M} UTC" if until else "until the connection is resumed"
    kind = Truncator(reason.split(":")[0].split(";")[0]).chars(40)
    return format_html('<span title="{}">{}, {} ({})</span>', reason, how_long, until_text, kind)
