"""The chart page of a connection in the admin (and the panel of charts other pages include)."""

from __future__ import annotations

from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse

from ..models import Connection
from ..selectors.connection_charts import ChartWindow, connection_charts
from .chart_svg import chart_svg


def chart_window_from(request: HttpRequest) -> ChartWindow:
    """The window asked for in `?window=` (24h or 7d); anything else is the last 24 hours."""
    try:
        return ChartWindow(request.GET.get("window", ChartWindow.DAY))
    except ValueError:
        return ChartWindow.DAY


def connection_charts_html(*, connection: Connection, window: ChartWindow, on_chart_page: bool = False) -> str:
    """The charts of a connection as one HTML fragment (a window switch and one SVG per chart)."""
    charts = [(chart, chart_svg(chart)) for chart in connection_charts(connection=connection, window=window)]
    return render_to_string(
        "admin/integrations/connection/charts_panel.html",
        {
            "connection": connection,
            "charts": charts,
            "window": window,
            "windows": list(ChartWindow),
            "on_chart_page": on_chart_page,
        },
    )


def connection_charts_view(model_admin: ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    connection = model_admin.get_object(request, object_id)
    if connection is None:
        raise Http404("No such connection.")
    if not model_admin.has_view_permission(request, connection):
        raise PermissionDenied
    window = chart_window_from(request)
    return TemplateResponse(
        request,
        "admin/integrations/connection/charts.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": Connection._meta,
            "original": connection,
            "title": f"Charts of {connection.name}",
            "charts_html": connection_charts_html(connection=connection, window=window, on_chart_page=True),
        },
    )
