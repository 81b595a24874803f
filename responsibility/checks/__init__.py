"""The checks of the register, R1–R12 (SPEC §3).

Each check is a named rule with code, severity, message, legal basis and a
link to fix it. Which rules run on a date, with which severity, basis and
parameters, is data (:class:`~responsibility.models.RuleDefinition`): a rule
only runs on dates where one of its rows is in force, so a change of law is a
new row. :func:`run_checks` checks many units in a constant number of queries:
the resolver's index, the rule rows and one query for the statutory
assignments that R7 and R10 read.

The package: :mod:`.base` (finding, context, registry), :mod:`.rules` (R1–R9, R11, R12), :mod:`.successors`
(R10); here the rule set as data and the run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from core.dates import not_ended_q
from responsibility.checks import rules as _rules  # noqa: F401 - registers R1–R9, R11, R12
from responsibility.checks.base import RULE_CODES, RULE_TITLES, RULES, CheckContext, Finding, rules_in_force
from responsibility.checks.successors import (
    assignments_without_successor,
    assignments_without_successor_in,
    ends_without_successor,
)
from responsibility.choices import STATUTORY_ROLES, AssignmentKind, Severity
from responsibility.models import Assignment, RuleDefinition, Unit
from responsibility.resolver import ResponsibilityIndex, attach_scope_objects, build_index

# The rule set as first seeded (migration 0002). A change of law adds rows; it never edits these.
IN_FORCE_2017 = date(2017, 4, 1)  # HSL 2017:30 and HSF 2017:80 in force.
DEFAULT_RULES = (
    ("R1", Severity.ERROR, IN_FORCE_2017, "HSL (2017:30) 4 kap. 2 §", {}),
    ("R2", Severity.ERROR, IN_FORCE_2017, "HSL (2017:30) 11 kap. 4 §; avtal", {}),
    ("R3", Severity.ERROR, date(2026, 7, 1), "Prop. 2025/26:19; HSL (2017:30) 11 kap. 4 §", {}),
    ("R4", Severity.ERROR, IN_FORCE_2017, "HSL (2017:30) 11 kap. 4 §", {}),
    ("R5", Severity.ERROR, IN_FORCE_2017, "Avtalsvillkor om MAS (t.ex. punkt 4.11)", {}),
    ("R6", Severity.ERROR, IN_FORCE_2017, "HSLF-FS 2017:41 4 §", {}),
    ("R7", Severity.ERROR, IN_FORCE_2017, "Registrets integritet", {}),
    ("R8", Severity.WARNING, IN_FORCE_2017, "MAS oberoende ställning (lokal rutin)", {}),
    ("R9", Severity.WARNING, IN_FORCE_2017, "HSL (2017:30) 4 kap. 2 §; prop. 2025/26:19", {}),
    ("R10", Severity.WARNING, IN_FORCE_2017, "Kontinuitet i ansvarsfördelningen (lokal rutin)", {"days": 30}),
    (
        "R11",
        Severity.ERROR,
        IN_FORCE_2017,
        "PSL (2010:659) 3 kap. 5 §; IVO: en vårdgivare anmäler bara händelser i egen verksamhet",
        {},
    ),
    ("R12", Severity.ERROR, IN_FORCE_2017, "Ansvaret avgörs av avtalet, inte gissas (SPEC §3)", {}),
)


def ensure_default_rules() -> int:
    """Create the seeded rule rows that are missing (e.g. after a test database flush); return how many."""
    created = 0
    for code, severity, effective_from, basis, params in DEFAULT_RULES:
        _row, was_created = RuleDefinition.objects.get_or_create(
            code=code,
            effective_from=effective_from,
            defaults={"severity": severity, "legal_basis": basis, "params": params},
        )
        created += was_created
    return created


def _load_statutory(units: list[Unit], index: ResponsibilityIndex, on: date) -> dict:
    """Statutory non-deputy assignments not ended before ``on`` on every scope the units reach (one query)."""
    unit_ids = [u.pk for u in units]
    provider_ids = {index.operation(u).provider_id for u in units}
    board_ids = {u.board_id for u in units}
    region_ids = {u.board.region_id for u in units if u.board.region_id}
    scope_q = Q(unit_id__in=unit_ids) | Q(provider_id__in=provider_ids) | Q(board_id__in=board_ids)
    if region_ids:
        scope_q |= Q(region_id__in=region_ids)
    rows = (
        Assignment.objects.filter(
            scope_q, role__in=list(STATUTORY_ROLES), kind=AssignmentKind.STATUTORY, deputy_for__isnull=True
        )
        .filter(not_ended_q(Assignment, on))
        .select_related("person")  # the scope objects (named by R7) from what is loaded: cheaper to plan
        .order_by("valid_from", "pk")
    )
    rows = list(rows)
    attach_scope_objects(rows, units)
    by_key: dict[tuple[str, str, int], list[Assignment]] = defaultdict(list)
    for a in rows:
        scope, scope_id = a.scope_key
        by_key[(a.role, scope, scope_id)].append(a)
    return dict(by_key)


def run_checks(
    *, units: Iterable[Unit], on: date, index: ResponsibilityIndex | None = None, codes: Iterable[str] | None = None
) -> list[Finding]:
    """Run the rules in force on ``on`` for ``units`` (active, with health care) in a constant number of queries.

    ``units`` should select_related ``board`` and ``municipality``; pass the resolver's ``index`` when
    the caller already built one for the same units and date.
    """
    units = [u for u in units if u.is_active_on(on) and u.provides_health_care]
    if not units:
        return []
    rules = [r for r in rules_in_force(on=on) if r.code in RULES and (codes is None or r.code in set(codes))]
    if not rules:
        return []
    if index is None or index.on != on:
        index = build_index(units=units, on=on)
    ctx = CheckContext(on=on, units=units, index=index, statutory=_load_statutory(units, index, on))
    findings: list[Finding] = []
    for unit in units:
        for rule_def in rules:
            findings.extend(RULES[rule_def.code](ctx, unit, rule_def))
    return findings


def findings_as_dict(*, findings: list[Finding], on: date, board: str | None) -> dict:
    """The findings as ``check_responsibility --format json`` (and the API) print them."""
    return {
        "date": on.isoformat(),
        "board": board or None,
        "count": len(findings),
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "unit": f.unit.code,
                "message": f.message,
                "legal_basis": f.legal_basis,
            }
            for f in findings
        ],
    }


__all__ = [
    "DEFAULT_RULES",
    "RULE_CODES",
    "RULE_TITLES",
    "Finding",
    "assignments_without_successor",
    "assignments_without_successor_in",
    "ends_without_successor",
    "ensure_default_rules",
    "findings_as_dict",
    "rules_in_force",
    "run_checks",
]
