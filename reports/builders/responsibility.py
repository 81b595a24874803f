"""Ansvarsfördelning: who holds MAS, MAR, verksamhetschef and anmälningsansvarig per unit on a date, with R1–R10."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext as _

from reports.builders.common import Column, Figure, Section, Table
from reports.scopes import ReportScope
from responsibility.choices import Role, Severity
from responsibility.models import Unit
from responsibility.resolver import build_index, units_with_board

REGISTER_ROLES = (Role.MAS, Role.MAR, Role.OPERATIONS_MANAGER, Role.LEX_MARIA_REPORTER)


def units_in(*, scope: ReportScope, on: date):
    """Units of the scope active on ``on``."""
    qs = Unit.objects.filter(scope.unit_q(), active_from__lte=on).filter(Q(active_to__isnull=True) | Q(active_to__gte=on))
    return units_with_board(qs).select_related("municipality").order_by("board__name", "name")


def _run_checks(units: list[Unit], on: date, index) -> list:
    try:
        from responsibility.checks import run_checks
    except ImportError:  # the checks module is not installed: the register alone
        return []
    return run_checks(units=units, on=on, index=index)


def responsibility_figures(*, scope: ReportScope, on: date) -> dict:
    """The register per unit (through the resolver's index) and the findings of the checks."""
    units = list(units_in(scope=scope, on=on))
    index = build_index(units=units, on=on)
    rows = []
    for unit in units:
        holders = {}
        for role in REGISTER_ROLES:
            resolution = index.resolve(unit, role)
            if role == Role.MAR and not unit.provides_rehabilitation and not resolution.holders:
                holders[role] = None  # not required
            else:
                holders[role] = ", ".join(p.full_name for p in resolution.holders)
        rows.append({"unit": unit, "holders": holders})
    findings = _run_checks(units, on, index) if units else []
    return {"units": rows, "findings": findings, "on": on}


def responsibility_sections(*, figures: dict) -> list[Section]:
    f = figures
    findings = f["findings"]
    errors = sum(1 for x in findings if x.severity == Severity.ERROR)
    warnings = len(findings) - errors
    missing = Counter()
    for row in f["units"]:
        for role, names in row["holders"].items():
            if names == "":
                missing[role] += 1
    summary = Section(
        heading=_("Summary"),
        figures=[
            Figure(_("Units"), len(f["units"])),
            Figure(_("Gaps found (R1–R7)"), errors),
            Figure(_("Warnings (R8–R10)"), warnings),
            Figure(_("Units without a MAS"), missing[Role.MAS]),
            Figure(_("Units without an operations manager"), missing[Role.OPERATIONS_MANAGER]),
        ],
    )
    by_code = Counter(x.code for x in findings)
    if findings:
        from responsibility.checks import RULE_CODES, RULE_TITLES

        summary.tables.append(Table(
            key="rules", caption=_("Findings by rule"),
            columns=[Column(_("Rule")), Column(_("Description")), Column(_("Findings"), numeric=True)],
            rows=[[code, str(RULE_TITLES[code]), by_code.get(code, 0)] for code in RULE_CODES],
            totals=[_("Total"), "", len(findings)],
        ))
    not_required = _("not required")
    nobody = _("missing")
    register = Section(
        heading=_("The register per unit"),
        intro=_("Resolved from the register as on %(date)s: an active deputy, then the unit, its care provider "
                "(as the contract decides), its board and its region.") % {"date": f["on"].isoformat()},
    )
    register.tables.append(Table(
        key="register", caption=_("Responsibility per unit on %(date)s") % {"date": f["on"].isoformat()},
        columns=[Column(_("Unit")), Column(_("Board")), Column(_("Care provider")), Column(_("MAS")),
                 Column(_("MAR")), Column(_("Operations manager")), Column(_("Lex Maria reporter"))],
        rows=[
            [r["unit"].name, r["unit"].board.name, r["unit"].provider.name]
            + [not_required if r["holders"][role] is None else (r["holders"][role] or nobody) for role in REGISTER_ROLES]
            for r in f["units"]
        ],
        empty_text=_("No active units in the scope on the date."),
    ))
    checks = Section(heading=_("Findings of the checks R1–R10"))
    checks.tables.append(Table(
        key="findings", caption=_("Findings on %(date)s") % {"date": f["on"].isoformat()},
        columns=[Column(_("Rule")), Column(_("Severity")), Column(_("Unit")), Column(_("Finding")),
                 Column(_("Legal basis"))],
        rows=[[x.code, str(Severity(x.severity).label), x.unit.name, x.message, x.legal_basis]
              for x in sorted(findings, key=lambda x: (int(x.code[1:]), x.unit.name))],
        empty_text=_("No findings: every rule in force is met."),
    ))
    return [summary, register, checks]
