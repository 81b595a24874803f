"""Charts as SVG (pygal), readable in black and white: grey tones, printed values, dashed lines."""

from __future__ import annotations

import pygal
from pygal.style import Style

from reports.builders.common import Chart

# Dark grey and black with printed values: nothing depends on colour alone.
PRINT_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#000000",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    opacity="1",
    opacity_hover="1",
    colors=("#3a3a3a", "#000000", "#8a8a8a"),
    font_family="DejaVu Sans, Arial, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=11,
    value_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)
LINE_DASHES = ("", "8, 5", "2, 4")


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


def bar_chart(*, title: str, alt: str, labels: list[str], values: list[int], series_title: str) -> Chart:
    """A horizontal bar chart of one series, each bar labelled with its value."""
    height = max(220, 60 + 28 * len(labels))
    chart = pygal.HorizontalBar(**_config(height=height, show_legend=False, print_values_position="top"))
    chart.title = title
    # pygal draws the first bar at the bottom: reverse so the chart reads top-down like the table.
    chart.x_labels = list(reversed(labels))
    chart.add(series_title, list(reversed(values)))
    return Chart(title=title, alt=alt, svg=chart.render(is_unicode=True))


def line_chart(*, title: str, alt: str, labels: list[str], series: list[tuple[str, list[int | None]]]) -> Chart:
    """A line chart: each series its own dash pattern, values printed at the points, a legend below."""
    chart = pygal.Line(**_config(height=340, legend_at_bottom=True, dots_size=4, x_label_rotation=0))
    chart.title = title
    chart.x_labels = labels
    for i, (name, values) in enumerate(series):
        dash = LINE_DASHES[i % len(LINE_DASHES)]
        stroke = {"width": 3}
        if dash:
            stroke["dasharray"] = dash
        chart.add(name, values, stroke_style=stroke)
    return Chart(title=title, alt=alt, svg=chart.render(is_unicode=True))
