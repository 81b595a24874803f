"""The plain data structure every report is: sections of key figures, tables and charts.

One builder per report kind fills a :class:`ReportData`; the HTML page, the
CSV/XLSX export and the PDF are all rendered from that same object, so the
same figures appear in all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from core.calendar import add_months
from incidents.patient import redact  # noqa: F401 - re-exported for the builders
from reports.scopes import ReportScope

# Patient identity never reaches a report. Free text copied into a report
# (an IVO outcome, an action) is scrubbed of anything shaped like a personnummer
# (``redact``, re-exported here for the builders).

# Longest list printed in a report table; the total is always stated.
MAX_LIST_ROWS = 200


@dataclass
class Column:
    """A table column; ``wide`` marks free text that should get the most room when the page is narrow."""

    label: str
    numeric: bool = False
    nowrap: bool = False
    wide: bool = False

    @property
    def css(self) -> str:
        return "num" if self.numeric else ("nowrap" if self.nowrap else ("text" if self.wide else ""))


@dataclass
class Table:
    """A table of the report; ``rows`` hold raw values (int, str, date) formatted when rendered."""

    key: str
    caption: str
    columns: list[Column]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    empty_text: str = ""
    note: str = ""

    @property
    def header_labels(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def body(self) -> list[list[tuple[Any, str]]]:
        """Rows as (value, css class) pairs: numbers right-aligned, references and dates kept on one line."""
        return [[(v, c.css) for v, c in zip(row, self.columns, strict=True)] for row in self.rows]

    @property
    def totals_cells(self) -> list[tuple[Any, str]]:
        return [(v, c.css) for v, c in zip(self.totals or [], self.columns, strict=True)]

    @property
    def is_wide(self) -> bool:
        """Small print for tables of many columns."""
        return len(self.columns) >= 6

    @property
    def is_short(self) -> bool:
        """A table short enough to be kept on one page with its caption."""
        return len(self.rows) <= 14

    @property
    def landscape(self) -> bool:
        """Tables of many columns, or of several free-text columns, are printed on landscape pages."""
        return len(self.columns) >= 7 or (len(self.columns) >= 5 and sum(c.wide for c in self.columns) >= 2)


@dataclass
class Chart:
    """A chart drawn as SVG; ``data_uri`` embeds it; the table beside it holds the same figures."""

    title: str
    alt: str
    svg: str

    @property
    def data_uri(self) -> str:
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


@dataclass
class Figure:
    """A key figure: label, value, and an optional explanation (e.g. a comparison)."""

    label: str
    value: Any
    note: str = ""


# Below this many in the comparison period a change is told as counts ("from 9 to 82"), not as a percentage.
SMALL_BASE = 20


def change_in_words(current: int | None, before: int | None) -> str:
    """A change told in words with an arrow, never a raw percentage on a tiny base.

    ``from 9 to 82`` when the earlier figure is small (or the change more than doubles it),
    ``12.5 % more (from 96 to 108)`` otherwise; "unchanged" when equal; "" when nothing to compare.
    """
    from django.utils.translation import gettext as _

    from reports.templatetags.report_format import sv_number

    if current is None or before is None:
        return ""
    values = {"before": sv_number(before), "current": sv_number(current)}
    if current == before:
        return _("→ unchanged (%(current)s)") % values
    up = current > before
    if before < SMALL_BASE or current >= 2 * before:
        return (
            _("↑ increase from %(before)s to %(current)s") if up else _("↓ decrease from %(before)s to %(current)s")
        ) % values
    values["percent"] = sv_number(round(abs(current - before) * 100.0 / before, 1))
    return (
        _("↑ increase by %(percent)s %% (from %(before)s to %(current)s)")
        if up
        else _("↓ decrease by %(percent)s %% (from %(before)s to %(current)s)")
    ) % values


@dataclass
class KeyFigure:
    """A key figure of the summary, with the comparison period's figure when there is one."""

    label: str
    value: Any
    previous: int | None = None
    compared_with: str = ""
    note: str = ""

    @property
    def trend(self) -> str:
        if not isinstance(self.value, int) or isinstance(self.value, bool):
            return ""
        return change_in_words(self.value, self.previous)


@dataclass
class Summary:
    """The one-page summary that opens every report: key figures, then what needs the board's attention."""

    figures: list[KeyFigure]
    attention: list[str] = field(default_factory=list)
    lead: str = ""
    no_attention: str = ""


@dataclass
class Section:
    heading: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    guidance: str = ""

    @property
    def landscape(self) -> bool:
        """A section with a wide table is printed on landscape pages (heading and table together)."""
        return any(t.landscape for t in self.tables)


@dataclass
class ReportData:
    """A report ready to render: what it covers, when its data were read, and its sections."""

    kind: str
    title: str
    scope: ReportScope
    period_from: date | None
    period_to: date | None
    year: int | None
    data_as_of: datetime
    produced_by: str
    sections: list[Section]
    is_empty: bool = False
    empty_message: str = ""
    subtitle: str = ""
    summary: Summary | None = None
    author: str = ""
    with_contents: bool = False

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    @property
    def period_heading(self) -> str:
        from django.utils.translation import gettext as _

        if self.year is not None:
            return _("Year")
        if self.period_from == self.period_to:
            return _("Date")
        return _("Period")

    @property
    def period_label(self) -> str:
        if self.year is not None:
            return str(self.year)
        if self.period_from == self.period_to:
            return self.period_to.isoformat()
        return f"{self.period_from.isoformat()} – {self.period_to.isoformat()}"


def period_bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    """Aware datetimes [start of ``period_from``, start of the day after ``period_to``) in local time."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period_from, time.min), tz)
    end = timezone.make_aware(datetime.combine(period_to + timedelta(days=1), time.min), tz)
    return start, end


def previous_period(period_from: date, period_to: date) -> tuple[date, date]:
    """The period before ``period_from..period_to`` that a board compares it with.

    Whole calendar months (a year, a half-year, a quarter, a month) compare with the same number of whole months
    just before: 2025 with all of 2024 (leap day included), Q2 with Q1. Any other period compares with the period
    of the same length that ends the day before ``period_from``.
    """
    prev_to = period_from - timedelta(days=1)
    if period_from.day == 1 and (period_to + timedelta(days=1)).day == 1:
        months = (period_to.year - period_from.year) * 12 + period_to.month - period_from.month + 1
        return add_months(period_from, -months), prev_to
    return prev_to - (period_to - period_from), prev_to


def same_period_last_year(period_from: date, period_to: date) -> tuple[date, date]:
    return _year_back(period_from), _year_back(period_to)


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)
