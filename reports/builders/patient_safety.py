"""Patientsäkerhetsberättelse for a vårdgivare and a calendar year (PSL 3 kap. 10 §).

The structure follows SOSFS 2011:9 7 kap. 3 § and SKR's national template:
the narrative sections are written in the browser
(:class:`~reports.models.PatientSafetyNarrative`), the figures come from the
same builders as the other reports.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.builders.common import Column, Figure, Section, Table
from reports.builders.deviations import deviation_figures
from reports.builders.followup import followup_figures
from reports.builders.lex_maria import lex_maria_figures
from reports.builders.responsibility import REGISTER_ROLES, responsibility_figures
from reports.models import NARRATIVE_SECTIONS, PatientSafetyNarrative
from reports.scopes import ReportScope
from responsibility.choices import Role
from responsibility.models import CareProvider


def provider_scope(provider: CareProvider, label: str) -> ReportScope:
    from reports.choices import ScopeKind

    return ReportScope(ScopeKind.PROVIDER, provider.pk, label, f"provider:{provider.org_number}",
                       provider.municipality_id)


def register_date(year: int, now: datetime) -> date:
    """The register is shown as on the last day of the year, or today while the year is running."""
    return min(date(year, 12, 31), timezone.localtime(now).date())


def patient_safety_figures(*, provider: CareProvider, scope_label: str, year: int, now: datetime) -> dict:
    scope = provider_scope(provider, scope_label)
    start, end = date(year, 1, 1), date(year, 12, 31)
    narrative = PatientSafetyNarrative.objects.filter(provider=provider, year=year).first()
    return {
        "provider": provider,
        "year": year,
        "narrative": narrative,
        "deviations": deviation_figures(scope=scope, period_from=start, period_to=end, now=now),
        "lex_maria": lex_maria_figures(scope=scope, period_from=start, period_to=end, now=now),
        "followup": followup_figures(scope=scope, period_from=start, period_to=end, now=now),
        "register": responsibility_figures(scope=scope, on=register_date(year, now)),
    }


def has_data(figures: dict) -> bool:
    """Whether anything happened in the year: deviations, Lex Maria cases, follow-ups or a written narrative."""
    return bool(
        figures["deviations"]["total"] or figures["lex_maria"]["total"] or figures["followup"]["planned"]
        or figures["narrative"] is not None
    )


def _register_table(register: dict) -> Table:
    units_per_holder: dict[tuple[str, str], int] = defaultdict(int)
    for row in register["units"]:
        for role in REGISTER_ROLES:
            names = row["holders"][role]
            if names:
                units_per_holder[(role, names)] += 1
    rows = [[str(Role(role).label), names, n] for (role, names), n in sorted(
        units_per_holder.items(), key=lambda item: (REGISTER_ROLES.index(item[0][0]), item[0][1]))]
    return Table(
        key="ps_register", caption=_("Statutory roles on %(date)s") % {"date": register["on"].isoformat()},
        columns=[Column(_("Role")), Column(_("Held by")), Column(_("Units"), numeric=True)],
        rows=rows, empty_text=_("No roles in the register."),
    )


def patient_safety_sections(*, figures: dict) -> list[Section]:
    narrative = figures["narrative"]
    dev, lm, fu, reg = figures["deviations"], figures["lex_maria"], figures["followup"], figures["register"]
    sections = []
    for field_name, figures_key in NARRATIVE_SECTIONS:
        label = str(PatientSafetyNarrative._meta.get_field(field_name).verbose_name)
        text = getattr(narrative, field_name, "") if narrative else ""
        section = Section(heading=label, paragraphs=[p for p in text.split("\n\n") if p.strip()] if text else [])
        if not text:
            section.intro = _("Not yet written.")
        if figures_key == "responsibility":
            errors = sum(1 for x in reg["findings"] if x.severity == "error")
            section.figures = [Figure(_("Units"), len(reg["units"])), Figure(_("Gaps in the register"), errors)]
            section.tables.append(_register_table(reg))
        elif figures_key == "followup":
            section.figures = [
                Figure(_("Follow-ups planned"), fu["planned"]),
                Figure(_("Follow-ups performed"), fu["performed"]),
                Figure(_("Findings"), fu["findings"]),
                Figure(_("Overdue actions"), fu["overdue_total"]),
            ]
        elif figures_key == "deviations":
            section.figures = [
                Figure(_("Deviations reported"), dev["total"]),
                Figure(_("Previous year"), dev["previous"]["total"]),
                Figure(_("Lex Maria cases decided"), lm["total"]),
                Figure(_("Reported to IVO"), lm["reported"]),
            ]
            section.tables.append(Table(
                key="ps_category", caption=_("Deviations by category"),
                columns=[Column(_("Category")), Column(_("Deviations"), numeric=True)],
                rows=[[r["category__name"], r["n"]] for r in dev["by_category"]],
                totals=[_("Total"), dev["total"]], empty_text=_("No deviations in the year."),
            ))
        sections.append(section)
    return sections
