"""What every register check shares: the finding, the context a run reads once, the registry of rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from responsibility.choices import Severity
from responsibility.models import Assignment, CareProvider, Contract, RuleDefinition, Unit
from responsibility.resolver import Resolution, ResponsibilityIndex

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


def make_finding(
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


def holder_names(resolution: Resolution) -> str:
    return ", ".join(p.full_name for p in resolution.holders)


def rules_in_force(*, on: date) -> list[RuleDefinition]:
    """The rule rows in force on ``on``: the newest row per code (one query)."""
    rows = RuleDefinition.objects.active_on(on).order_by("code", "-effective_from")
    latest: dict[str, RuleDefinition] = {}
    for row in rows:
        latest.setdefault(row.code, row)
    return sorted(latest.values(), key=lambda r: RULE_CODES.index(r.code) if r.code in RULE_CODES else 99)
