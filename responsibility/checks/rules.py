"""The register checks R1–R9, R11 and R12 (SPEC §3), each registered by its code."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from responsibility.checks.base import CheckContext, Finding, holder_names, make_finding, rule
from responsibility.choices import STATUTORY_ROLES, MasHeldBy, Role, Scope
from responsibility.models import Assignment, Contract, RuleDefinition, Unit


@rule("R1")
def check_operations_manager(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Every unit with health care resolves to exactly one verksamhetschef (HSL 4 kap. 2 §)."""
    res = ctx.resolve(unit, Role.OPERATIONS_MANAGER)
    if len(res.holders) == 1:
        return []
    if not res.holders:
        message = _("No operations manager (verksamhetschef) is registered for the unit.")
        return [
            make_finding(
                rule_def, unit, Role.OPERATIONS_MANAGER, message, ctx.create_url(unit, Role.OPERATIONS_MANAGER)
            )
        ]
    message = _("The unit has %(count)s operations managers at once: %(names)s.") % {
        "count": len(res.holders),
        "names": holder_names(res),
    }
    return [make_finding(rule_def, unit, Role.OPERATIONS_MANAGER, message, ctx.edit_url(unit, res.assignments[-1]))]


@rule("R2")
def check_mas(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Every unit resolves to exactly one statutory MAS (HSL 11 kap. 4 §, contract)."""
    res = ctx.resolve(unit, Role.MAS)
    if len(res.holders) == 1:
        return []
    if not res.holders:
        message = _("No statutory MAS is registered for the unit.")
        return [make_finding(rule_def, unit, Role.MAS, message, ctx.create_url(unit, Role.MAS))]
    message = _("The unit has %(count)s statutory MAS at once: %(names)s.") % {
        "count": len(res.holders),
        "names": holder_names(res),
    }
    return [make_finding(rule_def, unit, Role.MAS, message, ctx.edit_url(unit, res.assignments[-1]))]


@rule("R3")
def check_mar(ctx: CheckContext, unit: Unit, rule_def: RuleDefinition) -> list[Finding]:
    """Every unit that provides rehabilitation resolves to a MAR (prop. 2025/26:19)."""
    if not unit.provides_rehabilitation:
        return []
    res = ctx.resolve(unit, Role.MAR)
    if res.holders:
        return []
    message = _("The unit provides rehabilitation but no MAR is registered for it.")
    return [make_finding(rule_def, unit, Role.MAR, message, ctx.create_url(unit, Role.MAR))]


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
                make_finding(
                    rule_def, unit, role, message, ctx.edit_url(unit, res.assignment), assignment=res.assignment
                )
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
        make_finding(
            rule_def, unit, Role.MAS, message, ctx.create_url(unit, Role.MAS, provider_id=operation.provider_id)
        )
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
        make_finding(
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
                findings.append(make_finding(rule_def, unit, role, message, ctx.edit_url(unit, b), assignment=b))
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
        make_finding(
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
        make_finding(
            rule_def, unit, Role.OPERATIONS_MANAGER, message, ctx.edit_url(unit, assignment), assignment=assignment
        )
    ]


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
    return [make_finding(rule_def, unit, None, message, ctx.contract_url(unit, contract))]


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
    return [make_finding(rule_def, unit, None, message, ctx.unit_url(unit))]
