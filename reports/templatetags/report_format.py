"""Swedish number and date formats for report tables (HTML and PDF)."""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.html import escape

register = template.Library()

NBSP = "\u00a0"


def sv_number(value) -> str:
    """1234567 → '1 234 567' (non-breaking spaces), 12.5 → '12,5', -3.0 → '−3,0'."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        text = f"{abs(value):,}".replace(",", NBSP)
        return ("−" if value < 0 else "") + text
    if isinstance(value, float):
        whole, _dot, decimals = f"{abs(value):,.1f}".partition(".")
        return ("−" if value < 0 else "") + whole.replace(",", NBSP) + "," + decimals
    return str(value)


@register.filter
def cell(value) -> str:
    """Format one report value the Swedish way."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return sv_number(value)
    return str(value)


@register.filter
def table_rows(table) -> SafeString:
    """A report table's body rows (``<tbody>`` content), written in Python: as a template loop its cells were
    most of a long report's render (issue 17). The first cell is the row header (``scope="row"``); a table
    without rows says its empty text across all columns."""
    out = []
    for row in table.body:
        cells = []
        for i, (value, css) in enumerate(row):
            attr = f' class="{escape(css)}"' if css else ""
            if i == 0:
                cells.append(f'<th scope="row"{attr}>{escape(cell(value))}</th>')
            else:
                cells.append(f"<td{attr}>{escape(cell(value))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>\n        ")
    if not out:
        out.append(f'<tr><td colspan="{len(table.columns)}">{escape(table.empty_text)}</td></tr>\n        ')
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


@register.filter
def stamp(value) -> str:
    """A moment as 'YYYY-MM-DD HH:MM' in local time."""
    if not value:
        return "–"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


@register.filter
def narrative(paragraph: str):
    """One paragraph of a narrative section: lines that begin with "- " become a bulleted list, others
    are kept as lines. Everything is escaped: the text is the user's."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    parts: list[str] = []
    items: list[str] = []
    lines: list[str] = []

    def flush_lines():
        if lines:
            parts.append("<p>" + "<br>".join(lines) + "</p>")
            lines.clear()

    def flush_items():
        if items:
            parts.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in (paragraph or "").splitlines():
        line = raw.strip()
        if line.startswith(("- ", "* ", "• ")):
            flush_lines()
            items.append(escape(line[2:].strip()))
        elif line:
            flush_items()
            lines.append(escape(line))
    flush_lines()
    flush_items()
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
