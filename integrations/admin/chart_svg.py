"""Charts drawn on the server as inline SVG: no script, no style element, nothing fetched by the browser.

Colours and sizes are presentation attributes (not `style`), so the markup passes a Content-Security-
Policy without 'unsafe-inline'. Every drawn value is an element with `data-series`, `data-hour` and
`data-value` and a `<title>` the browser shows on hover.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..selectors.connection_charts import Chart

WIDTH, HEIGHT = 760, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 30
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# A limit far above the data would flatten every bar: it is then named, not drawn.
LIMIT_DRAWN_FROM_SHARE = 0.25

COLOURS = {
    "processed": "#2f855a",
    "succeeded": "#2f855a",
    "ignored": "#a0aec0",
    "skipped": "#a0aec0",
    "retrying": "#d69e2e",
    "failed": "#c53030",
    "dead": "#c53030",
    "live": "#2b6cb0",
    "writeback": "#6b46c1",
    "webhook": "#d69e2e",
    "sync": "#319795",
    "jobs": "#2b6cb0",
    "candidates": "#d69e2e",
    "users": "#6b46c1",
    "average": "#2b6cb0",
    "slowest": "#c53030",
}
FALLBACK_COLOURS = ["#2b6cb0", "#d69e2e", "#6b46c1", "#319795", "#c53030"]
TEXT = 'font-family="sans-serif" font-size="11" fill="#4a5568"'


def _colour(name: str, index: int) -> str:
    return COLOURS.get(name, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def axis_scale(top: float) -> tuple[float, float]:
    """The top of the axis and the step between its gridlines: at most 5 round steps covering `top`."""
    if top <= 0:
        return 1.0, 0.2
    tick = nice_ceiling(top / 5)
    return tick * max(1, math.ceil(top / tick - 1e-9)), tick


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def _hour_label(hour: datetime, hours: int) -> str | None:
    if hours <= 24:
        return f"{hour:%H}:00" if hour.hour % 4 == 0 else None
    return f"{hour:%b} {hour.day}" if hour.hour == 0 else None


def _data_max(chart: Chart) -> float:
    if chart.kind == "stacked-bars":
        return max((sum(series.values[i] or 0 for series in chart.series) for i in range(len(chart.hours))), default=0)
    return max((value or 0 for series in chart.series for value in series.values), default=0)


def chart_svg(chart: Chart) -> SafeString:
    """The chart as an `<svg>` element to put in a page."""
    data_max = _data_max(chart)
    limit_drawn = bool(chart.limit) and data_max >= LIMIT_DRAWN_FROM_SHARE * chart.limit
    scale, tick = axis_scale(max(data_max, chart.limit if limit_drawn else 0))
    slot = PLOT_WIDTH / len(chart.hours)

    def y(value: float) -> float:
        return TOP + PLOT_HEIGHT - value / scale * PLOT_HEIGHT

    def x(index: int) -> float:
        return LEFT + index * slot + slot / 2

    title_id = f"chart-{chart.key}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cockpit-chart" data-chart="{escape(chart.key)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<rect x="{LEFT}" y="{TOP}" width="{PLOT_WIDTH}" height="{PLOT_HEIGHT}" fill="#ffffff" stroke="#e2e8f0"/>',
    ]
    parts += _axes(chart, scale, tick, y, x)
    parts += _legend(chart)
    if chart.kind == "stacked-bars":
        parts += _bars(chart, y, x, slot)
    else:
        parts += _lines(chart, y, x)
    if limit_drawn:
        parts.append(
            f'<line class="chart-limit" x1="{LEFT}" x2="{LEFT + PLOT_WIDTH}" y1="{y(chart.limit):.1f}" '
            f'y2="{y(chart.limit):.1f}" stroke="#c53030" stroke-dasharray="6 4" data-value="{chart.limit:g}"/>'
        )
        parts.append(
            f'<text x="{LEFT + PLOT_WIDTH - 4}" y="{y(chart.limit) - 4:.1f}" text-anchor="end" {TEXT}>'
            f"{escape(chart.limit_label)}</text>"
        )
    elif chart.limit:
        parts.append(
            f'<text x="{LEFT + PLOT_WIDTH - 4}" y="{TOP + 12}" text-anchor="end" {TEXT}>'
            f"{escape(chart.limit_label)}: far above this scale</text>"
        )
    if not chart.has_data:
        parts.append(
            f'<text x="{LEFT + PLOT_WIDTH / 2}" y="{TOP + PLOT_HEIGHT / 2}" text-anchor="middle" {TEXT}>'
            "Nothing recorded in this window</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every interpolated text went through escape())


def _axes(chart: Chart, scale: float, tick: float, y, x) -> list[str]:
    parts = []
    for step in range(round(scale / tick) + 1):
        value = tick * step
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + PLOT_WIDTH}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#edf2f7"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" {TEXT}>{_number(value)}</text>')
    parts.append(
        f'<text x="12" y="{TOP + PLOT_HEIGHT / 2}" text-anchor="middle" {TEXT} '
        f'transform="rotate(-90 12 {TOP + PLOT_HEIGHT / 2})">{escape(chart.unit)}</text>'
    )
    for index, hour in enumerate(chart.hours):
        label = _hour_label(hour, len(chart.hours))
        if label:
            parts.append(f'<text x="{x(index):.1f}" y="{HEIGHT - 10}" text-anchor="middle" {TEXT}>{label}</text>')
    return parts


def _legend(chart: Chart) -> list[str]:
    parts, left = [], LEFT
    for index, series in enumerate(chart.series):
        colour = _colour(series.name, index)
        parts.append(f'<rect x="{left}" y="12" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{left + 14}" y="21" {TEXT}>{escape(series.name)}</text>')
        left += 24 + 7 * len(series.name)
    parts.append(f'<text x="{LEFT + PLOT_WIDTH}" y="21" text-anchor="end" {TEXT}>UTC</text>')
    return parts


def _point_title(series_name: str, hour: datetime, value: float, unit: str) -> str:
    return f"<title>{escape(series_name)} {hour:%Y-%m-%d %H}:00 UTC: {_number(value)} {escape(unit)}</title>"


def _bars(chart: Chart, y, x, slot: float) -> list[str]:
    parts, width = [], max(1.0, slot * 0.8)
    stacked = [0.0] * len(chart.hours)
    for index, series in enumerate(chart.series):
        colour = _colour(series.name, index)
        for hour_index, value in enumerate(series.values):
            if not value:
                continue
            bottom, top = stacked[hour_index], stacked[hour_index] + value
            stacked[hour_index] = top
            hour = chart.hours[hour_index]
            parts.append(
                f'<rect class="chart-point" x="{x(hour_index) - width / 2:.1f}" y="{y(top):.1f}" width="{width:.1f}" '
                f'height="{y(bottom) - y(top):.1f}" fill="{colour}" data-series="{escape(series.name)}" '
                f'data-hour="{hour:%Y-%m-%dT%H:00Z}" data-value="{value:g}">'
                f"{_point_title(series.name, hour, value, chart.unit)}</rect>"
            )
    return parts


def _lines(chart: Chart, y, x) -> list[str]:
    parts = []
    for index, series in enumerate(chart.series):
        colour = _colour(series.name, index)
        path, pen_down = [], False
        for hour_index, value in enumerate(series.values):
            if value is None:
                pen_down = False  # an hour without a run is a gap, not a zero
                continue
            path.append(f"{'L' if pen_down else 'M'}{x(hour_index):.1f} {y(value):.1f}")
            pen_down = True
        if path:
            parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for hour_index, value in enumerate(series.values):
            if value is None:
                continue
            hour = chart.hours[hour_index]
            parts.append(
                f'<circle class="chart-point" cx="{x(hour_index):.1f}" cy="{y(value):.1f}" r="3" fill="{colour}" '
                f'data-series="{escape(series.name)}" data-hour="{hour:%Y-%m-%dT%H:00Z}" data-value="{value:g}">'
                f"{_point_title(series.name, hour, value, chart.unit)}</circle>"
            )
    return parts
