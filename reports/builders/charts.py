"""Charts as SVG (pygal), readable in black and white: grey tones, printed values, dash patterns and markers.

The chart carries no title of its own: the figure's caption names it once.
"""

from __future__ import annotations

import functools
import re

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from reports.builders.common import Chart, Column, Section, Table

# Dark grey and black with printed values: nothing depends on colour alone.
PRINT_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#000000",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    opacity="1",
    opacity_hover="1",
    colors=("#000000", "#555555", "#8a8a8a"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=11,
    value_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
    guide_stroke_color="#c8c8c8",
    major_guide_stroke_color="#c8c8c8",
    guide_stroke_dasharray="1,0",
    major_guide_stroke_dasharray="1,0",
)
# Per series of a line chart: a dash pattern and a marker fill, so each line is told apart without colour.
# The selectors are prefixed with the chart's id when rendered (pygal's own rules use it and would win otherwise).
LINE_CSS = (
    "{id} .axis .guide.line{{stroke:#c8c8c8;stroke-dasharray:none;stroke-width:.6}}"
    "{id} .series.serie-0 .line{{stroke-width:3;stroke-dasharray:none}}"
    "{id} .series.serie-0 .dot{{fill:#000000;stroke:#000000}}"
    "{id} .series.serie-1 .line{{stroke-width:2.2;stroke-dasharray:9,5}}"
    "{id} .series.serie-1 .dot{{fill:#ffffff;stroke:#555555;stroke-width:2}}"
    "{id} .series.serie-2 .line{{stroke-width:2;stroke-dasharray:2,4}}"
    "{id} .series.serie-2 .dot{{fill:#8a8a8a;stroke:#000000;stroke-width:1}}"
)
BAR_CSS = "{id} .axis .guide.line{{stroke:#c8c8c8;stroke-dasharray:none;stroke-width:.6}}"
_ID = re.compile(r'<svg [^>]*id="(chart-[0-9a-f-]+)"')


def _config(**kwargs) -> dict:
    return {
        "style": PRINT_STYLE,
        "js": [],  # no scripts from a CDN: the SVG is static
        "disable_xml_declaration": True,
        "print_values": True,
        "show_y_guides": True,
        "margin": 12,
        "width": 800,
        **kwargs,
    }


def _render(chart, css: str) -> str:
    svg = chart.render(is_unicode=True)
    match = _ID.search(svg)
    if match:
        extra = css.format(id="#" + match.group(1))
        svg = svg.replace("</style>", extra + "</style>", 1)
    return svg


# The SVG of a chart depends only on its kind, labels and series (all plain values): the same figures give the
# same drawing, so a report read again (a board's members opening the same report) reuses it. pygal needs
# about 5 ms of CPU per chart; a bounded in-process memo, never stale (the key is the whole input).
SVG_MEMO_SIZE = 256


@functools.lru_cache(maxsize=SVG_MEMO_SIZE)
def _svg(kind: str, labels: tuple[str, ...], series: tuple[tuple[str, tuple[int | None, ...]], ...]) -> str:
    if kind == "bar":
        height = max(160, 50 + 28 * len(labels))
        chart = pygal.HorizontalBar(**_config(height=height, show_legend=False, print_values_position="top"))
        css = BAR_CSS
    elif kind == "line":
        chart = pygal.Line(
            **_config(height=320, legend_at_bottom=True, dots_size=4, x_label_rotation=0, legend_at_bottom_columns=1)
        )
        css = LINE_CSS
    else:
        chart = pygal.Bar(**_config(height=300, legend_at_bottom=True, legend_at_bottom_columns=len(series)))
        css = BAR_CSS
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _render(chart, css)


def bar_chart(*, title: str, alt: str, labels: list[str], values: list[int], series_title: str) -> Chart:
    """A horizontal bar chart of one series, each bar labelled with its value, in the order given (top first)."""
    # pygal draws the first bar at the bottom: reverse so the chart reads top-down like the table.
    svg = _svg(
        "bar", tuple(_short(str(label)) for label in reversed(labels)), ((str(series_title), tuple(reversed(values))),)
    )
    return Chart(title=title, alt=alt, svg=svg)


def add_counts(
    section: Section,
    *,
    key: str,
    title: str,
    alt: str,
    label_heading: str,
    count_heading: str,
    rows: list[list],
    total: int,
    empty_text: str = "",
) -> None:
    """A count per label as a bar chart (only when anything was counted) and, always, its table with the total.

    ``rows`` are ``[label, count]`` in the order both show them; the chart and the table share ``title``.
    """
    if total:
        section.charts.append(
            bar_chart(
                title=title,
                alt=alt,
                labels=[r[0] for r in rows],
                values=[r[1] for r in rows],
                series_title=count_heading,
            )
        )
    section.tables.append(
        Table(
            key=key,
            caption=title,
            columns=[Column(label_heading), Column(count_heading, numeric=True)],
            rows=rows,
            totals=[_("Total"), total],
            empty_text=empty_text,
        )
    )


def _series(series: list[tuple[str, list[int | None]]]) -> tuple[tuple[str, tuple[int | None, ...]], ...]:
    return tuple((str(name), tuple(values)) for name, values in series)


def line_chart(*, title: str, alt: str, labels: list[str], series: list[tuple[str, list[int | None]]]) -> Chart:
    """A line chart: each series its own dash pattern and marker, values printed at the points, a legend below."""
    return Chart(title=title, alt=alt, svg=_svg("line", tuple(str(label) for label in labels), _series(series)))


def column_chart(*, title: str, alt: str, labels: list[str], series: list[tuple[str, list[int | None]]]) -> Chart:
    """Vertical bars side by side per label (e.g. month by month, this year against last), values printed."""
    return Chart(title=title, alt=alt, svg=_svg("column", tuple(str(label) for label in labels), _series(series)))


def _short(label: str, limit: int = 48) -> str:
    """Bar labels longer than the axis can show are shortened; the table beside the chart has the full text."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
