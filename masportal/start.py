"""The start page: what each role sees first.

Each app contributes the items of a role's section through its own
``start.py`` (``sections_for(user=…, role=…)`` returning a list of
:class:`StartItem`); this module only assembles them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.utils.translation import gettext_lazy as _

from responsibility.choices import Role
from responsibility.permissions import START_ROLES

ROLE_INTRO = {
    Role.MAS: _("Assess deviations, run Lex Maria cases and keep the responsibility register right."),
    Role.MAR: _("Assess rehabilitation deviations and run Lex Maria cases for rehabilitation."),
    Role.OPERATIONS_MANAGER: _("Your units' deviations, investigations and follow-up actions."),
    Role.UNIT_MANAGER: _("Your unit's deviations to investigate and actions to report."),
    Role.REPORTER: _("Report a deviation and see what became of your reports."),
    Role.BOARD_OFFICIAL: _("The board's Lex Maria queue and reports, without patient identity."),
    Role.QUALITY_AUDITOR: _("Planned follow-ups to perform and actions to verify."),
    Role.LEX_MARIA_REPORTER: _("Lex Maria cases to report to IVO."),
}

CONTRIBUTORS = ("responsibility.start", "incidents.start", "followup.start", "complaints.start", "reports.start")


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


def _contributions(*, user, role: str) -> list[StartItem]:
    items: list[StartItem] = []
    for path in CONTRIBUTORS:
        try:
            module = import_module(path)
        except ModuleNotFoundError:
            continue
        items.extend(module.sections_for(user=user, role=role))
    return items


def start_sections(*, user, roles, is_admin: bool) -> list[StartSection]:
    """Return one section per role held (and one for admins)."""
    sections = []
    for role in START_ROLES:
        if role in roles:
            sections.append(
                StartSection(role, Role(role).label, ROLE_INTRO.get(role, ""), _contributions(user=user, role=role))
            )
    if is_admin:
        sections.append(
            StartSection(
                "ADMIN", _("Administrator"), _("Configure regions, boards, units, providers, contracts and roles."),
                _contributions(user=user, role="ADMIN"),
            )
        )
    return sections
