"""R10: a statutory assignment ends without a successor (the check, the dashboard and the reminder job)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.db.models import F, Q
from django.utils.translation import gettext as _

from core.dates import not_ended_q
from responsibility.checks.base import CheckContext, Finding, make_finding, rule, rules_in_force
from responsibility.choices import STATUTORY_ROLES, AssignmentKind, Role
from responsibility.models import Assignment, RuleDefinition, Unit


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
    """Every statutory assignment of ``municipality`` that ends soon without a successor (R10)."""
    return assignments_without_successor_in(municipalities=[municipality], on=on)


def assignments_without_successor_in(*, municipalities: Iterable, on: date) -> list[Assignment]:
    """Every statutory assignment of the ``municipalities`` that ends soon without a successor (R10), for the
    reminder job: the same rule, days and rule row as the check and the dashboard, each municipality's own
    days and successors among its own people (three queries however many municipalities)."""
    municipalities = list(municipalities)
    rule_def = next((r for r in rules_in_force(on=on) if r.code == "R10"), None)
    if rule_def is None or not municipalities:
        return []
    days_of = {
        m.pk: successor_days(rule_def=rule_def, municipality_days=lambda m=m: m.successor_warning_days)
        for m in municipalities
    }
    by_days: dict[int, list[int]] = defaultdict(list)
    for municipality_id, days in days_of.items():
        by_days[days].append(municipality_id)
    statutory = Assignment.objects.filter(
        kind=AssignmentKind.STATUTORY, deputy_for__isnull=True, role__in=list(STATUTORY_ROLES)
    )
    window = Q(pk__in=[])
    for days, ids in by_days.items():
        window |= Q(person__municipality__in=ids, valid_to__gte=on, valid_to__lte=on + timedelta(days=days))
    ending = list(statutory.filter(window).select_related("person__user").order_by("valid_to", "pk"))
    if not ending:
        return []
    scope_q = Q()
    for field_name in ("unit_id", "provider_id", "board_id", "region_id"):
        ids = {getattr(a, field_name) for a in ending if getattr(a, field_name)}
        if ids:
            scope_q |= Q(**{f"{field_name}__in": ids})
    # Successors by municipality (of the person), role and scope.
    others: dict[tuple[int, str, tuple[str, int]], list[Assignment]] = defaultdict(list)
    rows = (
        statutory.filter(scope_q, person__municipality__in=list(days_of))
        .filter(not_ended_q(Assignment, on))
        .annotate(person_municipality_id=F("person__municipality_id"))
    )
    for other in rows:
        others[(other.person_municipality_id, other.role, other.scope_key)].append(other)
    return [
        a
        for a in ending
        if ends_without_successor(
            a,
            others.get((a.person.municipality_id, a.role, a.scope_key), []),
            on=on,
            days=days_of[a.person.municipality_id],
        )
    ]


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
        findings.append(make_finding(rule_def, unit, role, message, ctx.create_url(unit, role), assignment=held))
    return findings
