"""The checks of the register, R1–R12 (SPEC §3).

Each check is a named rule with code, severity, message, legal basis and a
link to fix it. Which rules run on a date, with which severity, basis and
parameters, is data (:class:`~responsibility.models.RuleDefinition`): a rule
only runs on dates where one of its rows is in force, so a change of law is a
new row. :func:`run_checks` checks many units in a constant number of queries:
the resolver's index, the rule rows and one query for the statutory
assignments that R7 and R10 read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import not_ended_q
from responsibility.choices import STATUTORY_ROLES, AssignmentKind, MasHeldBy, Role, Scope, Severity
from responsibility.models import Assignment, CareProvider, Contract, RuleDefinition, Unit
from responsibility.resolver import Resolution, ResponsibilityIndex, attach_scope_objects, build_index

# Short titles per rule code, for grouping on the dashboard and the matrix legend.
RULE_TITLES = {
    "R1": gettext_lazy("Exactly one operations manager"),
    "R2": gettext_lazy("Exactly one statutory MAS"),
    "R3": gettext_lazy("MAR where rehabilitation is provided"),
    "R4": gettext_lazy("MAS and MAR are licensed in the right profession"),
    "R5": gettext_lazy("The care provider's MAS as the contract requires"),
    "R6": gettext_lazy("An appointed Lex Maria reporter"),
    "R7": gettext_lazy("No overlapping statutory assignments"),
    "R8": gettext_lazy("MAS independent of the operations manager"),
    "R9": gettext_lazy("Operations manager's mandate over staffing"),
    "R10": gettext_lazy("Successor for an assignment that ends soon"),
    "R11": gettext_lazy("Contract's Lex Maria route agrees with its type"),
    "R12": gettext_lazy("A contract in force for another care provider's unit"),
}
RULE_CODES = tuple(RULE_TITLES)


@dataclass(frozen=True)
class Finding:
    """One breach of a rule for one unit (and role) on one date."""

    code: str
    severity: str
    unit: Unit
    role: str | None
    message: str
    legal_basis: str
    fix_url: str
    assignment: Assignment | None = None
    provider: CareProvider | None = None

    @property
    def is_warning(self) -> bool:
        return self.severity == Severity.WARNING

    @property
    def title(self) -> str:
        return str(RULE_TITLES.get(self.code, self.code))

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "unit": self.unit.code,
            "role": self.role,
            "message": self.message,
            "legal_basis": self.legal_basis,
            "assignment_id": self.assignment.pk if self.assignment else None,
        }


@dataclass
class CheckContext:
    """What the rules read, loaded once for all units."""

    on: date
    units: list[Unit]
    index: ResponsibilityIndex
    # Statutory, non-deputy assignments of the statutory roles, not ended before ``on``,
    # on every scope the units reach; keyed by (role, scope, scope id). Independent of the resolver.
    statutory: dict[tuple[str, str, int], list[Assignment]] = field(default_factory=dict)
    _successor_warning_days: int | None = None

    @property
    def successor_warning_days(self) -> int:
        """The municipality's setting, read once and only when a rule row has no ``days``."""
        if self._successor_warning_days is None:
            self._successor_warning_days = self.units[0].municipality.successor_warning_days
        return self._successor_warning_days

    def resolve(self, unit: Unit, role: str) -> Resolution:
        return self.index.resolve(unit, role)

    def unit_url(self, unit: Unit) -> str:
        return reverse("responsibility:unit_detail", args=[unit.code])

    def create_url(self, unit: Unit, role: str, *, provider_id: int | None = None) -> str:
        """Where to add the missing assignment; the unit page when administration is not installed."""
        try:
            base = reverse("responsibility:assignment_create")
        except NoReverseMatch:
            return self.unit_url(unit)
        params = {"role": role}
        if provider_id:
            params["provider"] = provider_id
        else:
            params["unit"] = unit.code
        return f"{base}?{urlencode(params)}"

    def contract_url(self, unit: Unit, contract: Contract) -> str:
        try:
            return reverse("followup:contract_edit", args=[contract.pk])
        except NoReverseMatch:
            return self.unit_url(unit)

    def edit_url(self, unit: Unit, assignment: Assignment | None) -> str:
        if assignment is None:
            return self.unit_url(unit)
        try:
            return reverse("responsibility:assignment_edit", args=[assignment.pk])
        except NoReverseMatch:
            return self.unit_url(unit)


Rule = Callable[[CheckContext, Unit, RuleDefinition], list[Finding]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES[code] = func
        return func

    return register


def _finding(
    rule_def: RuleDefinition,
    unit: Unit,
    role: str | None,
    message: str,
    fix_url: str,
    *,
    assignment: Assignment | None = None,
    provider: CareProvider | None = None,
) -> Finding:
    return Finding(
        code=rule_def.code,
        severity=rule_def.severity,
        unit=unit,
        role=role,
        message=message,
        legal_basis=rule_def.legal_basis,
        fix_url=fix_url,
        assignment=assignment,
        provider=provider,
    )


def _names(resolution: Resolution) -> str:
    return ", ".join(p.full_name for p in resolution.holders)


@rule("R1")
def check_operations_manager(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Every unit with health care resolves to exactly one verksamhetschef (HSL 4 kap. 2 §)."""
    res = ctx.resolve(unit, Role.OPERATIONS_MANAGER)
    if len(res.holders) == 1:
        return []
    if not res.holders:
        message = _("No operations manager (verksamhetschef) is registered for the unit.")
        return [
            _finding(rule_def, unit, Role.OPERATIONS_MANAGER, message, ctx.create_url(unit, Role.OPERATIONS_MANAGER))
        ]
    message = _("The unit has %(count)s operations managers at once: %(names)s.") % {
        "count": len(res.holders),
        "names": _names(res),
    }
    return [_finding(rule_def, unit, Role.OPERATIONS_MANAGER, message, ctx.edit_url(unit, res.assignments[-1]))]


@rule("R2")
def check_mas(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Every unit resolves to exactly one statutory MAS (HSL 11 kap. 4 §, contract)."""
    res = ctx.resolve(unit, Role.MAS)
    if len(res.holders) == 1:
        return []
    if not res.holders:
        message = _("No statutory MAS is registered for the unit.")
        return [_finding(rule_def, unit, Role.MAS, message, ctx.create_url(unit, Role.MAS))]
    message = _("The unit has %(count)s statutory MAS at once: %(names)s.") % {
        "count": len(res.holders),
        "names": _names(res),
    }
    return [_finding(rule_def, unit, Role.MAS, message, ctx.edit_url(unit, res.assignments[-1]))]


@rule("R3")
def check_mar(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Every unit that provides rehabilitation resolves to a MAR (prop. 2025/26:19)."""
    if not unit.provides_rehabilitation:
        return []
    res = ctx.resolve(unit, Role.MAR)
    if res.holders:
        return []
    message = _("The unit provides rehabilitation but no MAR is registered for it.")
    return [_finding(rule_def, unit, Role.MAR, message, ctx.create_url(unit, Role.MAR))]


@rule("R4")
def check_qualification(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """A MAS is a licensed nurse; a MAR a licensed physiotherapist or occupational therapist."""
    findings = []
    for role in (Role.MAS, Role.MAR):
        res = ctx.resolve(unit, role)
        for person in res.holders:
            if person.may_hold(role):
                continue
            if role == Role.MAS:
                message = _("%(person)s is the unit's MAS but is not a licensed registered nurse.") % {"person": person}
            else:
                message = _(
                    "%(person)s is the unit's MAR but is not a licensed physiotherapist or occupational therapist."
                ) % {"person": person}
            findings.append(
                _finding(rule_def, unit, role, message, ctx.edit_url(unit, res.assignment), assignment=res.assignment)
            )
    return findings


@rule("R5")
def check_contractor_mas(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """A contracted unit whose contract gives the contractor the MAS duty has a contractor MAS."""
    operation = ctx.index.operation(unit)
    contract: Contract | None = operation.contract_in_force
    if contract is None or contract.mas_held_by != MasHeldBy.CONTRACTOR:
        return []
    res = ctx.resolve(unit, Role.MAS)
    if res.holders:
        return []
    clause = contract.mas_clause or "—"
    message = _(
        "Contract %(case)s (clause %(clause)s) says the care provider (vårdgivaren) holds the MAS duty, "
        "but the care provider has no MAS registered."
    ) % {"case": contract.case_number, "clause": clause}
    return [
        _finding(rule_def, unit, Role.MAS, message, ctx.create_url(unit, Role.MAS, provider_id=operation.provider_id))
    ]


@rule("R6")
def check_lex_maria_reporter(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Every vårdgivare has an anmälningsansvarig for Lex Maria (HSLF-FS 2017:41 4 §)."""
    res = ctx.resolve(unit, Role.LEX_MARIA_REPORTER)
    if res.holders:
        return []
    operation = ctx.index.operation(unit)
    message = _("The care provider has no appointed Lex Maria reporter (anmälningsansvarig) for the unit.")
    return [
        _finding(
            rule_def,
            unit,
            Role.LEX_MARIA_REPORTER,
            message,
            ctx.create_url(unit, Role.LEX_MARIA_REPORTER, provider_id=operation.provider_id),
        )
    ]


def _overlaps(assignments: list[Assignment], on: date) -> list[tuple[Assignment, Assignment]]:
    """Pairs whose periods overlap on ``on`` or later (valid_to inclusive)."""
    pairs = []
    for i, a in enumerate(assignments):
        for b in assignments[i + 1 :]:
            start = max(a.valid_from, b.valid_from)
            ends = [d for d in (a.valid_to, b.valid_to) if d is not None]
            end = min(ends) if ends else None
            if (end is None or end >= start) and (end is None or end >= on):
                pairs.append((a, b))
    return pairs


@rule("R7")
def check_overlaps(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """No two statutory assignments of the same role overlap on the same scope (read from the assignments)."""
    operation = ctx.index.operation(unit)
    scopes = [(Scope.UNIT, unit.pk), (Scope.PROVIDER, operation.provider_id), (Scope.BOARD, unit.board_id)]
    if unit.board.region_id:
        scopes.append((Scope.REGION, unit.board.region_id))
    findings = []
    for role in STATUTORY_ROLES:
        for scope, scope_id in scopes:
            for a, b in _overlaps(ctx.statutory.get((role, scope, scope_id), []), ctx.on):
                message = _(
                    "Two statutory assignments as %(role)s overlap on the %(scope)s %(object)s: "
                    "%(first)s from %(first_from)s and %(second)s from %(second_from)s."
                ) % {
                    "role": Role(role).label,
                    "scope": Scope(scope).label.lower(),
                    "object": a.scope_object,
                    "first": a.person,
                    "first_from": a.valid_from.isoformat(),
                    "second": b.person,
                    "second_from": b.valid_from.isoformat(),
                }
                findings.append(_finding(rule_def, unit, role, message, ctx.edit_url(unit, b), assignment=b))
    return findings


@rule("R8")
def check_independence(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Warning: the same person is MAS and verksamhetschef for the unit."""
    mas = ctx.resolve(unit, Role.MAS).holder
    manager = ctx.resolve(unit, Role.OPERATIONS_MANAGER)
    if mas is None or manager.holder is None or mas.pk != manager.holder.pk:
        return []
    message = _("%(person)s is both MAS and operations manager for the unit; the MAS should be independent.") % {
        "person": mas
    }
    return [
        _finding(
            rule_def, unit, Role.MAS, message, ctx.edit_url(unit, manager.assignment), assignment=manager.assignment
        )
    ]


@rule("R9")
def check_staffing_mandate(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Warning: the verksamhetschef lacks mandate over staffing and competence."""
    res = ctx.resolve(unit, Role.OPERATIONS_MANAGER)
    assignment = res.assignment
    if assignment is None or assignment.has_staffing_mandate:
        return []
    message = _("The operations manager %(person)s has no mandate over staffing and competence.") % {
        "person": assignment.person
    }
    return [
        _finding(
            rule_def, unit, Role.OPERATIONS_MANAGER, message, ctx.edit_url(unit, assignment), assignment=assignment
        )
    ]


def has_successor(assignment: Assignment, same_scope: Iterable[Assignment]) -> bool:
    """R10's one rule: someone else's statutory assignment of the same role on the same scope starts no
    later than the day after ``assignment`` ends (no gap) and lasts beyond it."""
    for other in same_scope:
        if other.pk == assignment.pk or other.role != assignment.role or other.scope_key != assignment.scope_key:
            continue
        starts_in_time = other.valid_from <= assignment.valid_to + timedelta(days=1)
        lasts_longer = other.valid_to is None or other.valid_to > assignment.valid_to
        if starts_in_time and lasts_longer:
            return True
    return False


def successor_days(*, rule_def: RuleDefinition | None, municipality_days: Callable[[], int]) -> int:
    """R10's horizon: the rule row's ``days`` where it has one, else the municipality's setting (read lazily)."""
    days = rule_def.params.get("days") if rule_def is not None else None
    return int(days) if days is not None else municipality_days()


def ends_without_successor(assignment: Assignment, same_scope: Iterable[Assignment], *, on: date, days: int) -> bool:
    """R10: ``assignment`` ends within ``days`` of ``on`` and nobody takes over."""
    if assignment.valid_to is None or not (on <= assignment.valid_to <= on + timedelta(days=days)):
        return False
    return not has_successor(assignment, same_scope)


def assignments_without_successor(*, municipality, on: date) -> list[Assignment]:
    """Every statutory assignment of ``municipality`` that ends soon without a successor (R10), for the
    reminder job: the same rule, days and rule row as the check and the dashboard (two queries)."""
    rule_def = next((r for r in rules_in_force(on=on) if r.code == "R10"), None)
    if rule_def is None:
        return []
    days = successor_days(rule_def=rule_def, municipality_days=lambda: municipality.successor_warning_days)
    statutory = Assignment.objects.filter(
        person__municipality=municipality,
        kind=AssignmentKind.STATUTORY,
        deputy_for__isnull=True,
        role__in=list(STATUTORY_ROLES),
    )
    ending = list(
        statutory.filter(valid_to__gte=on, valid_to__lte=on + timedelta(days=days))
        .select_related("person__user")
        .order_by("valid_to", "pk")
    )
    if not ending:
        return []
    scope_q = Q()
    for field_name in ("unit_id", "provider_id", "board_id", "region_id"):
        ids = {getattr(a, field_name) for a in ending if getattr(a, field_name)}
        if ids:
            scope_q |= Q(**{f"{field_name}__in": ids})
    others: dict[tuple[str, tuple[str, int]], list[Assignment]] = defaultdict(list)
    for other in statutory.filter(scope_q).filter(not_ended_q(Assignment, on)):
        others[(other.role, other.scope_key)].append(other)
    return [a for a in ending if ends_without_successor(a, others.get((a.role, a.scope_key), []), on=on, days=days)]


@rule("R10")
def check_successor(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Warning: a statutory assignment ends within N days (configurable) and nobody takes over."""
    days = successor_days(rule_def=rule_def, municipality_days=lambda: ctx.successor_warning_days)
    findings = []
    for role in STATUTORY_ROLES:
        res = ctx.resolve(unit, role)
        if len(res.assignments) != 1:
            continue
        held = res.assignments[0]
        scope, scope_id = held.scope_key
        if not ends_without_successor(held, ctx.statutory.get((held.role, scope, scope_id), []), on=ctx.on, days=days):
            continue
        message = _("%(person)s's assignment as %(role)s ends on %(date)s and no successor is registered.") % {
            "person": held.person,
            "role": Role(role).label,
            "date": held.valid_to.isoformat(),
        }
        findings.append(_finding(rule_def, unit, role, message, ctx.create_url(unit, role), assignment=held))
    return findings


@rule("R11")
def check_contract_route(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """A contract's Lex Maria route agrees with its type and ``mas_held_by`` (SPEC §5 table)."""
    contract = ctx.index.operation(unit).contract_in_force
    if contract is None or contract.route_agrees:
        return []
    message = _(
        "Contract %(case)s contradicts itself: a %(kind)s where the MAS duty is held by %(held_by)s cannot have "
        "the Lex Maria route “%(route)s”. Until it is corrected, Lex Maria cases go to the care provider's "
        "(vårdgivarens) own appointed reporter, never to the board's MAS."
    ) % {
        "case": contract.case_number,
        "kind": contract.get_kind_display().lower(),
        "held_by": contract.get_mas_held_by_display().lower(),
        "route": contract.get_lex_maria_route_display(),
    }
    return [_finding(rule_def, unit, None, message, ctx.contract_url(unit, contract))]


@rule("R12")
def check_contract_in_force(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """A unit operated by a non-municipal vårdgivare has a contract in force on the date."""
    operation = ctx.index.operation(unit)
    if not operation.by_other_provider or operation.contract_in_force is not None:
        return []
    message = _(
        "The unit is run by another care provider (drivs av annan vårdgivare) without a contract in force on "
        "%(date)s: who holds the MAS duty and who reports under Lex Maria cannot be decided from a contract. "
        "Lex Maria cases go to the care provider's own appointed reporter, never to the board's MAS."
    ) % {"date": ctx.on.isoformat()}
    return [_finding(rule_def, unit, None, message, ctx.unit_url(unit))]


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


def rules_in_force(*, on: date) -> list[RuleDefinition]:
    """The rule rows in force on ``on``: the newest row per code (one query)."""
    rows = RuleDefinition.objects.active_on(on).order_by("code", "-effective_from")
    latest: dict[str, RuleDefinition] = {}
    for row in rows:
        latest.setdefault(row.code, row)
    return sorted(latest.values(), key=lambda r: RULE_CODES.index(r.code) if r.code in RULE_CODES else 99)


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
