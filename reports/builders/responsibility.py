"""Ansvarsfördelning: who holds MAS, MAR, verksamhetschef and anmälningsansvarig per unit on a date, with R1–R10."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from reports.builders.charts import bar_chart
from reports.builders.common import Column, Figure, KeyFigure, Section, Summary, Table
from reports.scopes import ReportScope
from responsibility.choices import Role, Severity
from responsibility.models import Unit
from responsibility.resolver import build_index, units_with_board

REGISTER_ROLES = (Role.MAS, Role.MAR, Role.OPERATIONS_MANAGER, Role.LEX_MARIA_REPORTER)


def units_in(*, scope: ReportScope, on: date):
    """Units of the scope active on ``on``."""
    qs = Unit.objects.active_on(on).filter(scope.unit_q())
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
        holders, since = {}, {}
        for role in REGISTER_ROLES:
            resolution = index.resolve(unit, role)
            if role == Role.MAR and not unit.provides_rehabilitation and not resolution.holders:
                holders[role] = None  # not required
            else:
                holders[role] = ", ".join(p.full_name for p in resolution.holders)
            assignment = resolution.assignment
            since[role] = assignment.valid_from if assignment is not None else None
        rows.append({"unit": unit, "holders": holders, "since": since})
    findings = _run_checks(units, on, index) if units else []
    return {"units": rows, "findings": findings, "on": on}


def _missing(figures: dict) -> Counter:
    missing = Counter()
    for row in figures["units"]:
        for role, names in row["holders"].items():
            if names == "":
                missing[role] += 1
    return missing


def responsibility_summary(*, figures: dict) -> Summary:
    f = figures
    findings = f["findings"]
    errors = [x for x in findings if x.severity == Severity.ERROR]
    missing = _missing(f)
    units_with_errors = len({x.unit.pk for x in errors})
    summary = Summary(
        figures=[
            KeyFigure(_("Units"), len(f["units"])),
            KeyFigure(_("Units with a gap in the register"), units_with_errors),
            KeyFigure(_("Gaps found (R1–R7)"), len(errors)),
            KeyFigure(_("Warnings (R8–R10)"), len(findings) - len(errors)),
            KeyFigure(_("Units without a MAS"), missing[Role.MAS]),
            KeyFigure(_("Units without an operations manager"), missing[Role.OPERATIONS_MANAGER]),
        ]
    )
    summary.lead = _(
        "The register of statutory roles (MAS, MAR, operations manager, Lex Maria reporter) for "
        "%(units)s active units as on %(date)s, checked against the rules R1–R10."
    ) % {"units": len(f["units"]), "date": f["on"].isoformat()}
    if errors:
        from responsibility.checks import RULE_TITLES

        by_code = Counter(x.code for x in errors)
        for code, n in sorted(by_code.items(), key=lambda item: int(item[0][1:])):
            summary.attention.append(
                ngettext("%(code)s %(title)s: %(n)s gap to correct.", "%(code)s %(title)s: %(n)s gaps to correct.", n)
                % {"code": code, "title": RULE_TITLES.get(code, code), "n": n}
            )
        summary.attention.append(
            _(
                "A gap means that nobody, or more than one person, holds a statutory role: the "
                "board as vårdgivare must see that it is corrected."
            )
        )
    summary.no_attention = _("Every unit has the statutory roles the rules in force require.")
    return summary


def responsibility_sections(*, figures: dict) -> list[Section]:
    f = figures
    findings = f["findings"]
    errors = sum(1 for x in findings if x.severity == Severity.ERROR)
    warnings = len(findings) - errors
    missing = _missing(f)
    summary = Section(
        heading=_("Findings by rule"),
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

        rule_rows = [[code, str(RULE_TITLES[code]), by_code.get(code, 0)] for code in RULE_CODES]
        summary.charts.append(
            bar_chart(
                title=_("Findings by rule"),
                alt=_(
                    "Bar chart of the register's findings per rule R1–R10; each bar is labelled with its number. "
                    "The figures are in the table below."
                ),
                labels=[f"{r[0]} {r[1]}" for r in rule_rows],
                values=[r[2] for r in rule_rows],
                series_title=pgettext("register check", "Findings"),
            )
        )
        summary.tables.append(
            Table(
                key="rules",
                caption=_("Findings by rule"),
                columns=[
                    Column(_("Rule")),
                    Column(_("Description")),
                    Column(pgettext("register check", "Findings"), numeric=True),
                ],
                rows=rule_rows,
                totals=[_("Total"), "", len(findings)],
            )
        )
    not_required = _("not required")
    nobody = _("missing")
    register = Section(
        heading=_("The register per unit"),
        intro=_(
            "Resolved from the register as on %(date)s: an active deputy, then the unit, its care provider "
            "(as the contract decides), its board and its region."
        )
        % {"date": f["on"].isoformat()},
    )
    register.tables.append(
        Table(
            key="register",
            caption=_("Responsibility per unit on %(date)s") % {"date": f["on"].isoformat()},
            columns=[
                Column(_("Unit")),
                Column(_("Board")),
                Column(_("Care provider")),
                Column(_("MAS")),
                Column(_("MAR")),
                Column(_("Operations manager")),
                Column(_("Lex Maria reporter")),
            ],
            rows=[
                [r["unit"].name, r["unit"].board.name, r["unit"].provider.name]
                + [
                    not_required if r["holders"][role] is None else (r["holders"][role] or nobody)
                    for role in REGISTER_ROLES
                ]
                for r in f["units"]
            ],
            empty_text=_("No active units in the scope on the date."),
        )
    )
    checks = Section(heading=_("Findings of the checks R1–R10"))
    checks.tables.append(
        Table(
            key="findings",
            caption=_("Findings on %(date)s") % {"date": f["on"].isoformat()},
            columns=[
                Column(_("Rule"), nowrap=True),
                Column(_("Severity")),
                Column(_("Unit")),
                Column(_("Finding"), wide=True),
                Column(_("Legal basis"), wide=True),
            ],
            rows=[
                [x.code, str(Severity(x.severity).label), x.unit.name, x.message, x.legal_basis]
                for x in sorted(findings, key=lambda x: (int(x.code[1:]), x.unit.name))
            ],
            empty_text=_("No findings: every rule in force is met."),
        )
    )
    return [summary, register, checks]
