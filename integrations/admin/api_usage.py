"""What the admin shows about iCIMS calls: the ledger and a usage panel."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from ..models import ApiCallLedger, Connection
from ..selectors.api_usage import ApiUsageSummary, api_usage_summary
from .view_only import ViewOnlyAdmin


@admin.register(ApiCallLedger)
class ApiCallLedgerAdmin(ViewOnlyAdmin):
    list_display = ["hour", "connection", "purpose", "calls", "failed_calls"]
    list_filter = ["purpose", "connection"]
    date_hierarchy = "hour"
    list_select_related = ["connection"]


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def api_usage_html(summary: ApiUsageSummary) -> str:
    """The usage panel for the Connection change page (a read-only field)."""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (purpose, summary.calls_this_hour.get(purpose, 0), summary.calls_today.get(purpose, 0))
            for purpose in summary.calls_this_hour
        ),
    )
    allowance = (
        f"{summary.daily_remaining} of {summary.daily_limit} left, resets {_when(summary.daily_reset_at)}"
        if summary.daily_limit is not None
        else "not reported yet (no call today)"
    )
    paused = f"paused by iCIMS until {_when(summary.paused_until)}" if summary.paused_until else "not paused"
    breaker = summary.breaker_state
    if summary.breaker_retry_at:
        breaker += f" (next trial {_when(summary.breaker_retry_at)})"
    return format_html(
        "<table><tr><th>purpose</th><th>this hour</th><th>today</th></tr>{}"
        "<tr><th>total</th><th>{} of {}</th><th>{} ({} failed)</th></tr></table>"
        "<p>iCIMS daily allowance: {}. Calls: {}. Circuit breaker: {}.</p>",
        rows,
        summary.total_this_hour,
        summary.hourly_budget,
        summary.total_today,
        summary.failed_today,
        allowance,
        paused,
        breaker,
    )


def connection_api_usage(connection: Connection) -> str:
    return api_usage_html(api_usage_summary(connection=connection))
