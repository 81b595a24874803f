"""The start page: what each role sees first.

Each app contributes the items of a role's section through its own
``start.py`` (``sections_for(user=…, role=…)`` returning a list of
:class:`core.start.StartItem`); this module only assembles them.
"""

from __future__ import annotations

from importlib import import_module

from django.utils.translation import gettext_lazy as _

from core.start import StartItem, StartSection
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
                "ADMIN",
                _("Administrator"),
                _("Configure regions, boards, units, providers, contracts and roles."),
                _contributions(user=user, role="ADMIN"),
            )
        )
    return sections
