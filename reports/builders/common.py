"""The plain data structure every report is: sections of key figures, tables and charts.

One builder per report kind fills a :class:`ReportData`; the HTML page, the
CSV/XLSX export and the PDF are all rendered from that same object, so the
same figures appear in all three.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from reports.scopes import ReportScope

# Patient identity never reaches a report. Free text copied into a report
# (an IVO outcome, an action) is scrubbed of anything shaped like a personnummer.
PERSONNUMMER_RE = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)")
REDACTED = "[…]"

# Longest list printed in a report table; the total is always stated.
MAX_LIST_ROWS = 200


def redact(text: str | None) -> str:
    """Remove anything that looks like a personnummer from free text."""
    return PERSONNUMMER_RE.sub(REDACTED, text or "")


@dataclass
class Column:
    label: str
    numeric: bool = False
    nowrap: bool = False

    @property
    def css(self) -> str:
        return "num" if self.numeric else ("nowrap" if self.nowrap else "")


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
        return len(self.columns) >= 7


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


@dataclass
class Section:
    heading: str
    intro: str = ""
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


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
    """The period of the same length that ends the day before ``period_from``."""
    length = period_to - period_from
    prev_to = period_from - timedelta(days=1)
    return prev_to - length, prev_to


def same_period_last_year(period_from: date, period_to: date) -> tuple[date, date]:
    return _year_back(period_from), _year_back(period_to)


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def change_percent(current: int, before: int) -> float | None:
    """The change from ``before`` to ``current`` in per cent, or None when there was nothing before."""
    if not before:
        return None
    return round((current - before) * 100.0 / before, 1)
