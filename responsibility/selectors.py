"""Reads of the register for views, commands and other apps: always scoped to the user.

Every queryset a register view shows comes from here and starts from
:func:`responsibility.permissions.units_visible_to`; who holds a role comes
from the resolver and the gaps from :mod:`responsibility.checks`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from responsibility.checks import RULE_CODES, RULE_TITLES, Finding, run_checks
from responsibility.choices import OperatingForm, Role, Severity
from responsibility.models import Board, CareProvider, Contract, Region, Unit, UnitOperatingPeriod
from responsibility.permissions import has_any_role, is_register_admin, units_visible_to, user_scope
from responsibility.resolver import Operation, Resolution, build_index

# The four roles the resolver answers for every unit, in the order the UI shows them.
MATRIX_ROLES = (Role.MAS, Role.MAR, Role.OPERATIONS_MANAGER, Role.LEX_MARIA_REPORTER)
# Who may see the responsibility matrix (besides register admins) and whose scope it covers.
MATRIX_VIEWER_ROLES = (Role.MAS, Role.MAR, Role.BOARD_OFFICIAL)
# Who gets the dashboard of open findings.
FINDINGS_VIEWER_ROLES = (Role.MAS, Role.MAR)


def _with_relations(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    return qs.select_related("board", "board__region", "provider", "municipality")


# --- units ---------------------------------------------------------------------


def units_for_list(*, user) -> QuerySet[Unit]:
    """Units ``user`` may see, with board and provider, by name."""
    return _with_relations(units_visible_to(user)).order_by("name", "code")


def unit_for_user(*, user, code: str) -> Unit | None:
    """The unit with ``code`` if ``user`` may see it, else None (unknown and hidden look the same)."""
    return _with_relations(units_visible_to(user)).filter(code=code).first()


def unit_operating_periods(*, unit: Unit) -> list[UnitOperatingPeriod]:
    """Who operated ``unit`` and how, oldest first."""
    return list(unit.operating_periods.select_related("provider", "contract").order_by("valid_from"))


@dataclass
class RoleAnswer:
    """Who holds one role for a unit on a date, and the findings about that role."""

    role: str
    resolution: Resolution
    findings: list[Finding] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Role(self.role).label


@dataclass
class UnitResponsibility:
    """A unit's four roles on one date, with the findings of R1–R10."""

    unit: Unit
    on: date
    operation: Operation
    answers: list[RoleAnswer]
    findings: list[Finding]


def unit_responsibility(*, unit: Unit, on: date) -> UnitResponsibility:
    """Resolve the four roles for ``unit`` on ``on`` and run the checks (constant queries)."""
    index = build_index(units=[unit], on=on)
    findings = run_checks(units=[unit], on=on, index=index)
    answers = [
        RoleAnswer(role, index.resolve(unit, role), [f for f in findings if f.role == role]) for role in MATRIX_ROLES
    ]
    return UnitResponsibility(unit, on, index.operation(unit), answers, findings)


# --- the matrix -------------------------------------------------------------------


def may_view_matrix(user) -> bool:
    return is_register_admin(user) or has_any_role(user, *MATRIX_VIEWER_ROLES)


def may_view_findings(user) -> bool:
    return is_register_admin(user) or has_any_role(user, *FINDINGS_VIEWER_ROLES)


def matrix_units(*, user) -> QuerySet[Unit]:
    """The units whose responsibility ``user`` may see in the matrix."""
    if is_register_admin(user):
        return units_visible_to(user)
    return units_visible_to(user, roles=MATRIX_VIEWER_ROLES)


def matrix_choices(*, user) -> dict[str, QuerySet]:
    """Boards, regions and providers to filter the matrix by: only those of units ``user`` may see."""
    units = matrix_units(user=user).values("pk")
    return {
        "boards": Board.objects.filter(units__in=units).distinct().order_by("name"),
        "regions": Region.objects.filter(boards__units__in=units).distinct().order_by("name"),
        "providers": CareProvider.objects.filter(units__in=units).distinct().order_by("name"),
    }


def default_matrix_board(*, user) -> Board | None:
    """A board official without a MAS/MAR role starts on their own board."""
    if is_register_admin(user) or has_any_role(user, Role.MAS, Role.MAR):
        return None
    official = user_scope(user).by_role.get(Role.BOARD_OFFICIAL)
    if official is None or not official.board_ids:
        return None
    return Board.objects.filter(pk__in=official.board_ids).order_by("name").first()


@dataclass
class MatrixRow:
    """One unit in the matrix: who operates it, the four roles, its findings."""

    unit: Unit
    provider: CareProvider | None
    operating_form: str
    contract: Contract | None
    cells: list[RoleAnswer]
    findings: list[Finding]

    @property
    def operating_form_label(self) -> str:
        return OperatingForm(self.operating_form).label


@dataclass
class Matrix:
    """Units × roles on a date, with the findings shown."""

    on: date
    rows: list[MatrixRow]

    @property
    def findings(self) -> list[Finding]:
        return [f for row in self.rows for f in row.findings]

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)


def responsibility_matrix(
    *,
    user,
    on: date,
    board: Board | None = None,
    region: Region | None = None,
    provider: CareProvider | None = None,
    operating_form: str = "",
    code: str = "",
    severity: str = "",
) -> Matrix:
    """The matrix for the units ``user`` may see, narrowed by the filters, in a constant number of queries.

    ``provider`` and ``operating_form`` are those of the unit's operation on ``on``; ``code`` and
    ``severity`` keep only rows with such findings, and only those findings.
    """
    qs = matrix_units(user=user).active_on(on)
    if board is not None:
        qs = qs.filter(board=board)
    if region is not None:
        qs = qs.filter(board__region=region)
    units = list(_with_relations(qs).order_by("board__name", "name", "code"))
    index = build_index(units=units, on=on)
    if provider is not None:
        units = [u for u in units if index.operation(u).provider_id == provider.pk]
    if operating_form:
        units = [u for u in units if index.operation(u).operating_form == operating_form]
    findings = run_checks(units=units, on=on, index=index)
    if code:
        findings = [f for f in findings if f.code == code]
    if severity:
        findings = [f for f in findings if f.severity == severity]
    by_unit: dict[int, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_unit[finding.unit.pk].append(finding)
    # The units' own providers are loaded with them; only a dated operation by another provider is read.
    providers = {u.provider_id: u.provider for u in units if u.provider_id is not None}
    others = {index.operation(u).provider_id for u in units} - set(providers)
    if others:
        providers.update(CareProvider.objects.in_bulk(others))
    rows = []
    for unit in units:
        unit_findings = by_unit.get(unit.pk, [])
        if (code or severity) and not unit_findings:
            continue
        operation = index.operation(unit)
        cells = [
            RoleAnswer(role, index.resolve(unit, role), [f for f in unit_findings if f.role == role])
            for role in MATRIX_ROLES
        ]
        rows.append(
            MatrixRow(
                unit,
                providers.get(operation.provider_id),
                operation.operating_form,
                operation.contract,
                cells,
                unit_findings,
            )
        )
    return Matrix(on, rows)


# --- findings dashboard ---------------------------------------------------------------


def findings_units(*, user) -> QuerySet[Unit]:
    """The units whose findings ``user`` follows up: admins all, MAS/MAR their scope."""
    if is_register_admin(user):
        return units_visible_to(user)
    return units_visible_to(user, roles=FINDINGS_VIEWER_ROLES)


def _findings_of(units: QuerySet[Unit], on: date) -> list[Finding]:
    return run_checks(units=list(_with_relations(units.active_on(on)).order_by("name", "code")), on=on)


def open_findings(*, user, on: date) -> list[Finding]:
    """The findings of R1–R10 on ``on`` for the units ``user`` follows up (constant queries)."""
    return _findings_of(findings_units(user=user), on)


def matrix_findings(*, user, on: date) -> list[Finding]:
    """The findings on ``on`` for the units ``user`` sees in the matrix (a board official's register errors)."""
    return _findings_of(matrix_units(user=user), on)


@dataclass
class FindingGroup:
    code: str
    title: str
    severity: str
    findings: list[Finding]


def group_findings(findings: list[Finding]) -> list[FindingGroup]:
    """Findings grouped by rule code in R1…R10 order."""
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.code].append(finding)
    order = {c: i for i, c in enumerate(RULE_CODES)}
    return [
        FindingGroup(code, str(RULE_TITLES.get(code, code)), items[0].severity, items)
        for code, items in sorted(grouped.items(), key=lambda kv: order.get(kv[0], 99))
    ]
