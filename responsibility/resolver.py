"""The one answer to "who holds role R for unit U on date D" (SPEC §3).

Order: an active deputy for the holder → an assignment on the unit → on the
unit's provider → on the unit's board → on the board's region. For the duties
that follow the vårdgivare (MAS, MAR, anmälningsansvarig) on a contracted unit,
the contract's ``mas_held_by`` decides: the contractor (unit, provider) or the
board (unit, board, region).

Everything that needs a holder goes through :class:`ResponsibilityIndex`, which
loads what it needs for many units in a fixed number of queries and then
resolves in memory; :func:`responsible_for` is the one-unit shortcut.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext as _

from core.dates import overlaps_q
from responsibility.choices import (
    PROVIDER_DUTY_ROLES,
    STATUTORY_ROLES,
    AssignmentKind,
    ContractKind,
    MasHeldBy,
    OperatingForm,
    ProviderKind,
    Role,
    Scope,
)
from responsibility.models import Assignment, Board, CareProvider, Contract, Person, Region, Unit, UnitOperatingPeriod


@dataclass(frozen=True)
class Operation:
    """Who operated a unit on a date, in which form, under which contract."""

    provider_id: int
    operating_form: str
    contract: Contract | None
    on: date | None = None

    @property
    def by_other_provider(self) -> bool:
        """Operated by a vårdgivare other than the municipality (entreprenad, LOV, ramavtal)."""
        return self.operating_form != OperatingForm.OWN

    @property
    def contract_in_force(self) -> Contract | None:
        """The operation's contract when it is the provider's own and in force on the date (R12), else None."""
        contract = self.contract
        if contract is None or contract.provider_id != self.provider_id:
            return None
        if self.on is not None and not contract.is_active_on(self.on):
            return None
        return contract


@dataclass(frozen=True)
class Resolution:
    """The answer for one unit, role and date, with the reason."""

    unit: Unit
    role: str
    on: date
    assignments: tuple[Assignment, ...] = ()
    deputy: Assignment | None = None
    scope: str | None = None
    contract: Contract | None = None
    searched: tuple[str, ...] = field(default_factory=tuple)

    @cached_property
    def reason(self) -> str:
        """Why: the contract, and the assignment found (or that none was) at which level.

        Built when asked (the unit page, the routing's "Ansvar oklart", the command), not for every resolve:
        the matrix resolves a thousand times and shows none.
        """
        return reason_text(self.scope, self.assignments, self.deputy, self.contract)

    @property
    def holders(self) -> tuple[Person, ...]:
        """Everyone who holds the role: one where the register is right, none or two where it is not."""
        if self.deputy is not None:
            return (self.deputy.person,)
        return tuple(a.person for a in self.assignments)

    @property
    def holder(self) -> Person | None:
        """The one holder, or None when nobody or more than one does."""
        holders = self.holders
        return holders[0] if len(holders) == 1 else None

    @property
    def assignment(self) -> Assignment | None:
        if self.deputy is not None:
            return self.deputy
        return self.assignments[0] if len(self.assignments) == 1 else None

    @property
    def is_ambiguous(self) -> bool:
        return len(self.holders) > 1

    def as_dict(self) -> dict:
        holder = self.holder
        return {
            "unit": self.unit.code,
            "role": self.role,
            "date": self.on.isoformat(),
            "holder": (
                {"id": holder.pk, "name": holder.full_name, "email": holder.email, "profession": holder.profession}
                if holder
                else None
            ),
            "holders": [p.full_name for p in self.holders],
            "assignment_id": self.assignment.pk if self.assignment else None,
            "deputy_for": self.deputy.deputy_for.person.full_name if self.deputy else None,
            "scope": self.scope,
            "contract": (
                {
                    "id": self.contract.pk,
                    "case_number": self.contract.case_number,
                    "mas_held_by": self.contract.mas_held_by,
                    "clause": self.contract.mas_clause,
                }
                if self.contract
                else None
            ),
            "reason": self.reason,
        }


def levels_for(role: str, operation: Operation) -> tuple[str, ...]:
    """The scopes searched, in order, for ``role`` on a unit operated as ``operation``.

    The duties that follow the vårdgivare are decided by the contract in force,
    never guessed (SPEC §3): a unit run by another vårdgivare without a contract
    in force (R12) is searched on the unit and that provider only, never on the
    board or region.
    """
    if role in PROVIDER_DUTY_ROLES and operation.by_other_provider:
        contract = operation.contract_in_force
        # Only an entreprenad contract can leave the MAS duty with the board (SPEC §5, older local contracts).
        if contract is not None and contract.kind == ContractKind.CONTRACT and contract.mas_held_by == MasHeldBy.BOARD:
            return (Scope.UNIT, Scope.BOARD, Scope.REGION)
        return (Scope.UNIT, Scope.PROVIDER)
    contract = operation.contract
    if role in PROVIDER_DUTY_ROLES and contract is not None and contract.provider_id == operation.provider_id:
        if contract.mas_held_by == MasHeldBy.CONTRACTOR:
            return (Scope.UNIT, Scope.PROVIDER)
        return (Scope.UNIT, Scope.BOARD, Scope.REGION)
    return (Scope.UNIT, Scope.PROVIDER, Scope.BOARD, Scope.REGION)


class RegisterRows:
    """The register rows of ``units`` for every date from ``first`` to ``last``, read once (three queries).

    A :class:`ResponsibilityIndex` given these rows picks those active on its date in memory: a job that
    resolves deviations of many event dates builds one index per date without a query per date.
    """

    def __init__(self, *, units: Iterable[Unit], first: date, last: date):
        units = list(units)
        unit_ids = [u.pk for u in units]
        # Ordered as ResponsibilityIndex reads them: the last period active on a date wins.
        self.periods = list(
            UnitOperatingPeriod.objects.filter(overlaps_q(UnitOperatingPeriod, first, last), unit_id__in=unit_ids)
            .select_related("contract")
            .order_by("unit_id", "valid_from")
        )
        contract_ids = {u.contract_id for u in units if u.contract_id}
        self.contracts = {c.pk: c for c in Contract.objects.filter(pk__in=contract_ids)} if contract_ids else {}
        provider_ids = {u.provider_id for u in units} | {p.provider_id for p in self.periods}
        self.assignments = list(
            Assignment.objects.filter(
                overlaps_q(Assignment, first, last),
                _scope_q(unit_ids, provider_ids - {None}, units),
                role__in=list(STATUTORY_ROLES),
            )
            .select_related("person", "deputy_for__person")
            .order_by("valid_from", "pk")
        )
        attach_scope_objects(self.assignments, units)


def _scope_q(unit_ids, provider_ids, units) -> Q:
    """Assignments on the units, their providers, their boards or the boards' regions."""
    board_ids = {u.board_id for u in units}
    region_ids = {u.board.region_id for u in units if u.board.region_id}
    scope_q = Q(unit_id__in=list(unit_ids)) | Q(provider_id__in=provider_ids) | Q(board_id__in=board_ids)
    if region_ids:
        scope_q |= Q(region_id__in=region_ids)
    return scope_q


class ResponsibilityIndex:
    """Assignments, operations and contracts for a set of units on one date, loaded in bulk.

    ``rows``: the units' :class:`RegisterRows` over a range holding ``on`` (then nothing is queried).
    ``logins``: read each holder's login with the assignments (routing notifies them: no query of its own).
    ``unit_managers``: read the units' enhetschefer in the same statement (:meth:`unit_managers`; not with ``rows``).
    """

    def __init__(
        self,
        *,
        units: Iterable[Unit],
        on: date,
        rows: RegisterRows | None = None,
        logins: bool = False,
        unit_managers: bool = False,
    ):
        if unit_managers and rows is not None:
            raise ValueError("unit managers are read with the index's own statement, not from rows")
        self.on = on
        self._rows = rows
        self._logins = logins
        self._unit_managers: dict[int, dict[int, Person]] | None = defaultdict(dict) if unit_managers else None
        self.units = {u.pk: u for u in units}
        self._operations: dict[int, Operation] = {}
        self._by_scope: dict[tuple[str, str, int], list[Assignment]] = defaultdict(list)
        self._deputies: dict[int, list[Assignment]] = defaultdict(list)
        # Deputies by the person they replace: a deputy covers every duty of that person (SPEC §3 Deputies).
        self._deputies_of_person: dict[int, list[Assignment]] = defaultdict(list)
        # Answers already given: the index does not change once loaded, and the matrix and the checks ask
        # the same unit and role many times.
        self._answers: dict[tuple[int, str, tuple[str, ...] | None], Resolution] = {}
        self._load()

    def _load(self) -> None:
        on = self.on
        unit_ids = list(self.units)
        if not unit_ids:
            return
        rows = self._rows
        if rows is None:
            periods = (
                UnitOperatingPeriod.objects.active_on(on)
                .filter(unit_id__in=unit_ids)
                .select_related("contract")
                .order_by("unit_id", "valid_from")
            )
        else:
            periods = [p for p in rows.periods if p.unit_id in self.units and p.is_active_on(on)]
        for period in periods:
            self._operations[period.unit_id] = Operation(period.provider_id, period.operating_form, period.contract, on)
        contract_ids = {u.contract_id for u in self.units.values() if u.pk not in self._operations and u.contract_id}
        if rows is not None:
            contracts = rows.contracts
        else:
            contracts = {c.pk: c for c in Contract.objects.filter(pk__in=contract_ids)} if contract_ids else {}
        for unit in self.units.values():
            # A unit without dated periods (legacy import) uses its current values.
            self._operations.setdefault(
                unit.pk, Operation(unit.provider_id, unit.operating_form, contracts.get(unit.contract_id), on)
            )
        if rows is not None:  # every assignment of the units' scopes over the range: those active on ``on``
            assignments = [a for a in rows.assignments if a.is_active_on(on)]
        else:
            provider_ids = {op.provider_id for op in self._operations.values()}
            wanted = Q(_scope_q(unit_ids, provider_ids, self.units.values()), role__in=list(STATUTORY_ROLES))
            if self._unit_managers is not None:  # an enhetschef is assigned to the unit itself
                wanted |= Q(unit_id__in=unit_ids, role=Role.UNIT_MANAGER)
            assignments = list(
                Assignment.objects.active_on(on)
                .filter(wanted)
                # Only the people joined: the four scope joins as well cost the planner more than the query
                # itself; the scope objects (named by the reason) are attached from what is loaded already.
                .select_related("person__user" if self._logins else "person", "deputy_for__person")
                .order_by("valid_from", "pk")
            )
            attach_scope_objects(assignments, self.units.values())
        for a in assignments:
            if a.role == Role.UNIT_MANAGER:
                if self._unit_managers is not None:
                    self._unit_managers[a.unit_id].setdefault(a.person_id, a.person)
                continue
            if a.deputy_for_id:
                self._deputies[a.deputy_for_id].append(a)
                self._deputies_of_person[a.deputy_for.person_id].append(a)
            elif a.kind == AssignmentKind.STATUTORY:
                scope, scope_id = a.scope_key
                self._by_scope[(a.role, scope, scope_id)].append(a)

    def operation(self, unit: Unit) -> Operation:
        return self._operations[unit.pk]

    def unit_managers(self, unit: Unit) -> tuple[Person, ...]:
        """The enhetschef(s) assigned to ``unit`` on the index's date, each once, earliest assignment first."""
        if self._unit_managers is None:
            raise LookupError("the index was built without unit managers")
        return tuple(self._unit_managers.get(unit.pk, {}).values())

    def resolve(self, unit: Unit, role: str, *, levels: tuple[str, ...] | None = None) -> Resolution:
        """Return who holds ``role`` for ``unit`` on the index's date, and why.

        ``levels`` narrows the search (the Lex Maria guard asks the provider's own register only).
        """
        key = (unit.pk, role, levels)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._resolve(unit, role, levels)
        return answer

    def _resolve(self, unit: Unit, role: str, levels: tuple[str, ...] | None) -> Resolution:
        operation = self._operations[unit.pk]
        levels = levels or levels_for(role, operation)
        contract = operation.contract_in_force if role in PROVIDER_DUTY_ROLES else None
        scope_ids = {
            Scope.UNIT: unit.pk,
            Scope.PROVIDER: operation.provider_id,
            Scope.BOARD: unit.board_id,
            Scope.REGION: unit.board.region_id,
        }
        for level in levels:
            found = self._by_scope.get((role, level, scope_ids[level]), [])
            if not found:
                continue
            deputy = None
            if len(found) == 1:
                deputy = self._deputy(found[0], scope_ids)
            return Resolution(
                unit=unit,
                role=role,
                on=self.on,
                assignments=tuple(found),
                deputy=deputy,
                scope=level,
                contract=contract,
                searched=levels,
            )
        return Resolution(unit=unit, role=role, on=self.on, contract=contract, searched=levels)

    def _deputy(self, held: Assignment, scope_ids: dict[str, int | None]) -> Assignment | None:
        """The active deputy for ``held``: of that assignment, or of another duty of the same person that
        reaches this unit (a MAS's deputy is also her anmälningsansvarig for the period, SPEC §3)."""
        direct = self._deputies.get(held.pk, [])
        if direct:
            return direct[0]
        reachable = {(scope, scope_id) for scope, scope_id in scope_ids.items() if scope_id}
        for deputy in self._deputies_of_person.get(held.person_id, []):
            if deputy.deputy_for.kind == AssignmentKind.STATUTORY and deputy.deputy_for.scope_key in reachable:
                return deputy
        return None


def reason_text(
    level: str | None, found: tuple[Assignment, ...], deputy: Assignment | None, contract: Contract | None
) -> str:
    """The reason of a resolution: the contract in force, then what was found at ``level`` (None: nothing)."""
    parts = []
    if contract is not None:
        held_by = contract.get_mas_held_by_display().lower()
        clause = f" {contract.mas_clause}" if contract.mas_clause else ""
        parts.append(
            _("Contract %(case)s%(clause)s: the MAS duty is held by %(held_by)s.")
            % {"case": contract.case_number, "clause": clause, "held_by": held_by}
        )
    if level is None:
        parts.append(_("No assignment found at any level."))
    elif len(found) > 1:
        parts.append(
            _("%(count)s overlapping assignments at the level: %(level)s.")
            % {"count": len(found), "level": Scope(level).label.lower()}
        )
    else:
        parts.append(
            _("Assignment #%(id)s on the %(level)s %(scope)s, valid from %(from)s.")
            % {
                "id": found[0].pk,
                "level": Scope(level).label.lower(),
                "scope": found[0].scope_object,
                "from": found[0].valid_from.isoformat(),
            }
        )
        if deputy is not None:
            parts.append(
                _("Deputy for %(person)s until %(to)s.")
                % {"person": found[0].person, "to": deputy.valid_to.isoformat() if deputy.valid_to else "—"}
            )
    return " ".join(parts)


def attach_scope_objects(assignments: list[Assignment], units: Iterable[Unit]) -> None:
    """Give each assignment its scope object (unit, provider, board, region) without a query per assignment.

    Units and boards are the index's own; providers and regions come from the units where they were loaded
    with them (:func:`units_with_board`), the rest in one query per kind.
    """
    units = list(units)
    known: dict[str, dict[int, object]] = {
        "unit": {u.pk: u for u in units if u.pk > 0},  # not a board's virtual unit
        "board": {u.board_id: u.board for u in units},
        "provider": {u.provider_id: u.provider for u in units if u.provider_id and Unit.provider.is_cached(u)},
        "region": {},
    }
    for board in known["board"].values():
        if board.region_id and Board.region.is_cached(board):
            known["region"][board.region_id] = board.region
    models = {"unit": Unit, "board": Board, "provider": CareProvider, "region": Region}
    for name, objects in known.items():
        missing = {getattr(a, f"{name}_id") for a in assignments} - set(objects) - {None}
        if missing:
            objects.update(models[name].objects.in_bulk(missing))
    for a in assignments:
        for name, objects in known.items():
            pk = getattr(a, f"{name}_id")
            if pk is not None:
                getattr(Assignment, name).field.set_cached_value(a, objects[pk])


def build_index(
    *,
    units: Iterable[Unit],
    on: date,
    rows: RegisterRows | None = None,
    logins: bool = False,
    unit_managers: bool = False,
) -> ResponsibilityIndex:
    """Load the register for ``units`` on ``on``; ``units`` should select_related the board.

    ``rows``: :class:`RegisterRows` of the same units over a range holding ``on`` (no query then).
    ``logins``: the holders' logins come along (for notifying them).
    ``unit_managers``: the units' enhetschefer come along in the same statement (routing one deviation).
    """
    return ResponsibilityIndex(units=units, on=on, rows=rows, logins=logins, unit_managers=unit_managers)


def responsible_for(*, unit: Unit, role: str, on: date) -> Resolution:
    """Return who holds ``role`` for ``unit`` on ``on``, and why."""
    return ResponsibilityIndex(units=[unit], on=on).resolve(unit, role)


def board_units(boards: Iterable[Board]) -> dict[int, Unit]:
    """One virtual unit per board (pk = −board id, never saved), run in egen regi by the board's municipal
    provider: asking the index about it answers "the board's own MAS/MAR", so precedence (deputy → provider
    → board → region) stays in the resolver. One query for any number of boards.
    """
    boards = {b.pk: b for b in boards}
    if not boards:
        return {}
    municipal: dict[int, CareProvider] = {}
    for provider in CareProvider.objects.filter(kind=ProviderKind.MUNICIPAL, board_id__in=list(boards)):
        municipal.setdefault(provider.board_id, provider)  # the first by the model's ordering
    return {
        pk: Unit(
            pk=-pk,
            municipality_id=board.municipality_id,
            board=board,
            provider=municipal.get(pk),
            operating_form=OperatingForm.OWN,
            contract=None,
        )
        for pk, board in boards.items()
    }


def board_duty_holder(*, board: Board, role: str, on: date) -> Resolution:
    """Return who holds ``role`` for ``board``'s own operation on ``on`` (the board's MAS/MAR)."""
    virtual = board_units([board])[board.pk]
    return build_index(units=[virtual], on=on).resolve(virtual, role)


def duty_resolution(resolve, *, rehabilitation: bool) -> Resolution:
    """THE MAR → MAS rule (SPEC §3 "MAR and MAS"): for a rehabilitation matter the MAR; where no MAR
    resolves (before 2026-07-01, or a register gap) the MAS. ``resolve(role)`` asks the index.

    Used by deviation routing and the Lex Maria chain alike.
    """
    if rehabilitation:
        mar = resolve(Role.MAR)
        if mar.holder is not None:
            return mar
    return resolve(Role.MAS)


def units_with_board(qs=None):
    """Units with what the resolver reads, in one query."""
    return (qs if qs is not None else Unit.objects.all()).select_related("board", "board__region", "provider")
