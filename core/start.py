"""What a start-page contribution is made of: items, charts, tables, sections.

Each app contributes the items of a role's section through its own ``start.py``
(``sections_for(user=…, role=…)`` returning a list of :class:`StartItem`);
``core.start`` assembles them into the start page.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StartChart:
    """A server-drawn SVG chart with the same figures as a table (for screen readers and on request)."""

    title: str
    alt: str
    svg_uri: str
    headers: list[str]
    rows: list[list]


@dataclass
class StartTable:
    """A short table on the dashboard (e.g. the reporter's latest reports); each row links to its item."""

    caption: str
    headers: list[str]
    rows: list[tuple[str, list]]  # (url, cells); the first cell is the link text


@dataclass
class StartItem:
    """One figure of a role's dashboard (a link to the filtered list), or a chart or table."""

    label: str
    url: str = ""
    count: int | None = None
    overdue: int | None = None
    detail: str = ""
    chart: StartChart | None = None
    table: StartTable | None = None


@dataclass
class StartSection:
    key: str
    title: str
    intro: str
    items: list[StartItem] = field(default_factory=list)
