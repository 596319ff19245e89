"""The SVG drawing of a chart: one element per value, labelled; no script and no inline style."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

from integrations.admin.chart_svg import axis_scale, chart_svg, nice_ceiling
from integrations.selectors.connection_charts import Chart, ChartSeries

HOURS = [datetime(2026, 11, 26, 10, tzinfo=UTC) + timedelta(hours=n) for n in range(4)]
SVG = "{http://www.w3.org/2000/svg}"


def _points(svg: str) -> list[dict]:
    root = ElementTree.fromstring(svg)
    return [element.attrib for element in root.iter() if element.get("class") == "chart-point"]


def _bars(values_by_series: dict, *, limit=None) -> Chart:
    series = [ChartSeries(name=name, values=values) for name, values in values_by_series.items()]
    return Chart(
        key="calls",
        title="Calls",
        unit="calls",
        kind="stacked-bars",
        hours=HOURS,
        series=series,
        limit=limit,
        limit_label=f"hourly budget {limit}",
    )


def test_each_value_is_a_bar_with_its_series_hour_and_value():
    svg = chart_svg(_bars({"sync": [5, None, 20, 0], "live": [1, 2, None, None]}))

    points = _points(svg)
    assert [(p["data-series"], p["data-hour"], p["data-value"]) for p in points] == [
        ("sync", "2026-11-26T10:00Z", "5"),
        ("sync", "2026-11-26T12:00Z", "20"),
        ("live", "2026-11-26T10:00Z", "1"),
        ("live", "2026-11-26T11:00Z", "2"),
    ]


def test_stacked_bars_sit_on_each_other_and_the_tallest_reaches_the_scale():
    svg = chart_svg(_bars({"sync": [10, 0, 0, 0], "live": [10, 0, 0, 0]}))

    sync, live = _points(svg)
    assert float(live["y"]) + float(live["height"]) == float(sync["y"])  # live stacked on top of sync
    assert float(sync["height"]) == float(live["height"])


def test_a_budget_within_reach_is_drawn_as_a_line_and_one_far_above_is_named():
    near = chart_svg(_bars({"sync": [60, 0, 0, 0]}, limit=100))
    far = chart_svg(_bars({"sync": [2, 0, 0, 0]}, limit=80000))

    assert 'class="chart-limit"' in near
    assert 'class="chart-limit"' not in far
    assert "hourly budget 80000: far above this scale" in far


def test_a_line_chart_breaks_at_hours_without_data():
    chart = Chart(
        key="age",
        title="Data age",
        unit="minutes",
        kind="lines",
        hours=HOURS,
        series=[ChartSeries(name="jobs", values=[3, None, 4, 5])],
    )

    svg = chart_svg(chart)

    assert [p["data-value"] for p in _points(svg)] == ["3", "4", "5"]
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    assert path.count("M") == 2 and path.count("L") == 1


def test_the_svg_has_no_script_no_style_and_escapes_names():
    svg = chart_svg(_bars({"<script>x</script>": [1, 2, 3, 4]}))

    assert "<script" not in svg
    assert "style" not in svg
    assert "&lt;script&gt;" in svg
    ElementTree.fromstring(svg)  # well-formed


def test_an_empty_chart_says_so():
    assert "Nothing recorded in this window" in chart_svg(_bars({"sync": [None] * 4}))


def test_scales_are_round_numbers():
    assert [nice_ceiling(v) for v in (0, 0.3, 7, 12, 21, 80000, 81000)] == [1, 0.5, 10, 20, 25, 100000, 100000]


def test_an_axis_has_at_most_five_round_steps_up_to_the_top_value():
    assert axis_scale(2000) == (2000, 500)
    assert axis_scale(4.4) == (5, 1)
    assert axis_scale(1160) == (1250, 250)
    assert axis_scale(0) == (1, 0.2)
