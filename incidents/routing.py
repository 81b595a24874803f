"""Who is told about a deviation, resolved from the register on the date of the event (SPEC §4).

- the verksamhetschef (resolver) and the enhetschef(s) of the unit: always;
- the statutory MAS, or the MAR for rehabilitation categories (the MAS where
  no MAR holds the duty on that date): when the risk score or consequence
  meets the municipality's threshold, or the category always goes to MAS;
- the board's MAS: an information copy without patient identity, when the
  contract in force on that date says the contractor informs the board's MAS
  and the contractor holds the MAS duty.

Nothing here uses today's date: a MAS who took over after the event is not the
one told.

This is the one routing engine: :func:`route` for a deviation, and
:func:`incidents.lexmaria.routing.resolve_chain` for a Lex Maria case, ask the same
register look-ups (a :class:`RoutingIndex`). Alone they build what they need for
one unit; a caller that routes many deviations (jobs, bulk reports, the volume
generator) builds a :class:`RoutingIndex` once per date — or a
:class:`RoutingIndexes` for many dates — and passes it down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import overlaps_q
from incidents.models import Deviation
from responsibility.choices import MasHeldBy, Role
from responsibility.models import Assignment, Board, Person, Unit
from responsibility.register_cache import unit_index
from responsibility.resolver import (
    RegisterRows,
    Resolution,
    ResponsibilityIndex,
    board_duty_holder,
    board_units,
    build_index,
    duty_resolution,
    units_with_board,
)


class RoutingIndex:
    """The register on one date, prebuilt for routing deviations of many units in a fixed number of queries.

    Holds the resolver's index over ``units`` and one virtual egen-regi unit per board (the board's own
    MAS/MAR, :func:`responsibility.resolver.board_units`), and the units' enhetschefer. ``units`` must
    come with their board, region and provider (:func:`responsibility.resolver.units_with_board`).
    """

    def __init__(self, *, units: Iterable[Unit], on: date, rows: RoutingRows | None = None):
        units = list(units)
        self.on = on
        self.units = {u.pk: u for u in units}
        if rows is not None:
            self.board_units = rows.board_units
            self.register = build_index(units=[*units, *self.board_units.values()], on=on, rows=rows.register)
            assignments = [a for a in rows.unit_managers if a.is_active_on(on)]
        else:
            self.board_units = board_units({u.board_id: u.board for u in units}.values())
            self.register = build_index(units=[*units, *self.board_units.values()], on=on)
            assignments = (
                unit_managers_q(unit_ids=list(self.units)).filter(Assignment.active_q(on)) if self.units else []
            )
        managers: dict[int, dict[int, Person]] = defaultdict(dict)
        for a in assignments:
            managers[a.unit_id][a.person_id] = a.person
        self._managers = {unit_id: tuple(people.values()) for unit_id, people in managers.items()}

    def unit(self, unit_id: int) -> Unit:
        try:
            return self.units[unit_id]
        except KeyError:
            raise LookupError(f"unit {unit_id} is not in the routing index") from None

    def unit_managers(self, unit: Unit) -> tuple[Person, ...]:
        return self._managers.get(unit.pk, ())

    def board_holder(self, board: Board, role: str) -> Resolution:
        """Who holds ``role`` for the board's own operation (the board's MAS/MAR)."""
        virtual = self.board_units[board.pk]
        return self.register.resolve(virtual, role)


def unit_managers_q(*, unit_ids: list[int]):
    """The enhetschef assignments of the units (with the person's login), in the order routing reads them."""
    return (
        Assignment.objects.filter(role=Role.UNIT_MANAGER, unit_id__in=unit_ids)
        .select_related("person__user")
        .order_by("valid_from", "pk")
    )


class RoutingRows:
    """What :class:`RoutingIndex` reads for ``units`` on any date from ``first`` to ``last``, read once."""

    def __init__(self, *, units: list[Unit], first: date, last: date):
        self.board_units = board_units({u.board_id: u.board for u in units}.values())
        self.register = RegisterRows(units=[*units, *self.board_units.values()], first=first, last=last)
        self.unit_managers = list(
            unit_managers_q(unit_ids=[u.pk for u in units]).filter(overlaps_q(Assignment, first, last))
        )


class _OneUnit:
    """The look-ups of :class:`RoutingIndex` for a single unit, each read only when asked (one deviation)."""

    def __init__(self, *, unit: Unit, on: date):
        self.on = on
        self._unit = unit
        # The routing's notices need the logins; the enhetschefer come in the same statement as the holders.
        # Kept across requests for the register's version (responsibility.register_cache).
        self.register = unit_index(
            unit=unit,
            on=on,
            kind="routing",
            build=lambda: build_index(units=[unit], on=on, logins=True, unit_managers=True),
        )

    def unit(self, unit_id: int) -> Unit:
        return self._unit

    def unit_managers(self, unit: Unit) -> tuple[Person, ...]:
        return self.register.unit_managers(unit)

    def board_holder(self, board: Board, role: str) -> Resolution:
        return board_duty_holder(board=board, role=role, on=self.on)


class RoutingIndexes:
    """Routing indexes over the same units for many dates, each built once on first use (jobs, bulk routing).

    ``dates``: the dates that will be asked, when known: the register is then read once for all of them
    (:class:`RoutingRows`, a fixed number of queries) and each date's index is built in memory.
    """

    def __init__(self, units: Iterable[Unit], *, dates: Iterable[date] = ()):
        self.units = list(units)
        self._by_date: dict[date, RoutingIndex] = {}
        dates = set(dates)
        self._range = (min(dates), max(dates)) if dates and self.units else None
        self._rows = RoutingRows(units=self.units, first=self._range[0], last=self._range[1]) if self._range else None

    def on(self, day: date) -> RoutingIndex:
        if day not in self._by_date:
            preloaded = self._range is not None and self._range[0] <= day <= self._range[1]
            self._by_date[day] = RoutingIndex(units=self.units, on=day, rows=self._rows if preloaded else None)
        return self._by_date[day]

    def for_deviation(self, deviation: Deviation) -> RoutingIndex:
        return self.on(event_date(deviation))


def lookups_for(
    *, unit_id: int, on: date, index: RoutingIndex | None, unit: Unit | None = None
) -> tuple[Unit, RoutingIndex | _OneUnit]:
    """The unit and the register look-ups for routing on ``on``: ``index`` when given, else one unit's own.

    ``unit``: the unit already loaded with its board, region and provider (:func:`loaded_unit`), not read again.
    """
    if index is not None:
        return index.unit(unit_id), index
    if unit is None or unit.pk != unit_id:
        unit = units_with_board(Unit.objects.filter(pk=unit_id)).get()
    return unit, _OneUnit(unit=unit, on=on)


def loaded_unit(deviation: Deviation) -> Unit | None:
    """The deviation's unit when it is already loaded with its board (the resolver reads the board's region id)."""
    if not Deviation.unit.is_cached(deviation):
        return None
    unit = deviation.unit
    return unit if unit is not None and Unit.board.is_cached(unit) else None


@dataclass(frozen=True)
class Owner:
    """Who gets a case: the resolved holder, or the fallback with the reason the holder is unknown."""

    role: str
    person: Person | None
    deputy_for: Person | None = None
    unclear_reason: str = ""

    @property
    def unclear(self) -> bool:
        return bool(self.unclear_reason)


def gap_reason(resolution: Resolution, *, index: ResponsibilityIndex | None = None) -> str:
    """Which rule and which register gap leave ``resolution`` without one holder (for "Ansvar oklart")."""
    role_label = Role(resolution.role).label
    if resolution.holders:
        rule = "R7"
        gap = _("%(count)s people hold the role %(role)s at once: %(names)s.") % {
            "count": len(resolution.holders),
            "role": role_label,
            "names": ", ".join(p.full_name for p in resolution.holders),
        }
    else:
        known = index is not None and resolution.unit.pk in index.units
        operation = index.operation(resolution.unit) if known else None
        contract = operation.contract_in_force if operation is not None else None
        if operation is not None and operation.by_other_provider and contract is None:
            rule = "R12"
            gap = _("The unit is run by another care provider (vårdgivare) without a contract in force.")
        elif contract is not None and contract.mas_held_by == MasHeldBy.CONTRACTOR and resolution.role == Role.MAS:
            rule = "R5"
            gap = _("The contract says the care provider holds the MAS duty, but it has no MAS registered.")
        else:
            rule = {Role.MAS: "R2", Role.MAR: "R3", Role.LEX_MARIA_REPORTER: "R6"}.get(resolution.role, "R2")
            gap = _("Nobody holds the role %(role)s for the unit on the date.") % {"role": role_label}
    return _("Responsibility unclear (%(rule)s): %(gap)s %(detail)s") % {
        "rule": rule,
        "gap": gap,
        "detail": resolution.reason,
    }


def fallback_owner(*, unit: Unit, on: date, index: RoutingIndex | _OneUnit | None = None) -> Person | None:
    """SPEC §3 "No case without an owner": the board's MAS for the unit's board; None means the register admins."""
    if index is not None:
        return index.board_holder(unit.board, Role.MAS).holder
    return board_duty_holder(board=unit.board, role=Role.MAS, on=on).holder


def duty_owner(*, index: RoutingIndex | _OneUnit, unit: Unit, rehabilitation: bool) -> Owner:
    """The MAS/MAR who assesses a deviation on ``unit``, or the fallback marked "Ansvar oklart"."""
    register = index.register
    resolution = duty_resolution(lambda role: register.resolve(unit, role), rehabilitation=rehabilitation)
    if resolution.holder is not None:
        deputy_for = resolution.deputy.deputy_for.person if resolution.deputy is not None else None
        return Owner(role=resolution.role, person=resolution.holder, deputy_for=deputy_for)
    return Owner(
        role=resolution.role,
        person=fallback_owner(unit=unit, on=index.on, index=index),
        unclear_reason=gap_reason(resolution, index=register),
    )


@dataclass(frozen=True)
class Routing:
    """The people a deviation concerns on its event date."""

    on: date
    operations_manager: Person | None
    unit_managers: tuple[Person, ...]
    duty_role: str
    duty_holder: Person | None
    mas_needed: bool
    board_mas_copy: Person | None
    owner: Owner | None = None

    @property
    def managers(self) -> tuple[Person, ...]:
        people = list(self.unit_managers)
        if self.operations_manager is not None:
            people.append(self.operations_manager)
        return tuple({p.pk: p for p in people}.values())


def event_date(deviation: Deviation) -> date:
    """The date of the event, in Stockholm time."""
    return timezone.localdate(deviation.occurred_at)


def is_high_risk(deviation: Deviation) -> bool:
    """Whether the deviation goes to MAS/MAR: risk score, consequence or category meets the threshold."""
    municipality = deviation.municipality
    return (
        deviation.risk_score >= municipality.mas_risk_threshold
        or deviation.consequence >= municipality.mas_consequence_threshold
        or deviation.category.always_to_mas
    )


def high_risk_q() -> Q:
    """:func:`is_high_risk` as a filter on deviations (the same three conditions, the municipality's thresholds)."""
    return (
        Q(risk_score__gte=F("municipality__mas_risk_threshold"))
        | Q(consequence__gte=F("municipality__mas_consequence_threshold"))
        | Q(category__always_to_mas=True)
    )


def board_mas_on(*, unit: Unit, on: date, role: str) -> Person | None:
    """The board's own MAS/MAR for ``unit``'s board on ``on`` (asked of the resolver for the board's egen regi)."""
    return board_duty_holder(board=unit.board, role=role, on=on).holder


def copies_board_mas(contract) -> bool:
    """Whether the board's MAS gets a copy: the contract in force keeps the MAS duty with the contractor
    and asks it to inform the board's MAS (SPEC §3)."""
    return contract is not None and contract.informs_board_mas and contract.mas_held_by == MasHeldBy.CONTRACTOR


def route(deviation: Deviation, *, index: RoutingIndex | None = None) -> Routing:
    """Resolve everyone ``deviation`` concerns on its event date.

    ``index``: a :class:`RoutingIndex` holding the deviation's unit, built for its event date (the
    caller's choice of date is used as given); without it the unit's register is read here.
    """
    on = index.on if index is not None else event_date(deviation)
    unit, lookups = lookups_for(unit_id=deviation.unit_id, on=on, index=index, unit=loaded_unit(deviation))
    register = lookups.register
    owner = duty_owner(index=lookups, unit=unit, rehabilitation=deviation.category.is_rehabilitation)
    role, holder = owner.role, (None if owner.unclear else owner.person)
    contract = register.operation(unit).contract_in_force
    copy_to = None
    if copies_board_mas(contract):
        copy_to = lookups.board_holder(unit.board, role).holder
        if copy_to is not None and holder is not None and copy_to.pk == holder.pk:
            copy_to = None
    return Routing(
        on=on,
        operations_manager=register.resolve(unit, Role.OPERATIONS_MANAGER).holder,
        unit_managers=lookups.unit_managers(unit),
        duty_role=role,
        duty_holder=holder,
        mas_needed=is_high_risk(deviation),
        board_mas_copy=copy_to,
        owner=owner,
    )


def store_routing(*, deviation: Deviation, route: Routing) -> None:
    """Keep what ``route`` decided on the deviation (the caller saves it), so reminders never resolve again.

    The enhetschef(s) need the saved row: :func:`store_unit_managers` writes them after the save.
    """
    deviation.mas_person = route.duty_holder
    deviation.mas_role = route.duty_role
    deviation.board_mas_copy = route.board_mas_copy
    deviation.operations_manager = route.operations_manager
    deviation.routed_at = timezone.now()


def store_unit_managers(*, deviation: Deviation, route: Routing) -> None:
    """Write the enhetschef(s) of ``route`` for the saved ``deviation`` in one INSERT (none: no query)."""
    through = Deviation.unit_managers.through
    rows = [through(deviation_id=deviation.pk, person_id=p.pk) for p in route.unit_managers]
    if rows:
        through.objects.bulk_create(rows, ignore_conflicts=True)


def stored_managers(deviation: Deviation) -> tuple[Person, ...]:
    """The managers stored with the routing (enhetschef(s), then the verksamhetschef), without duplicates.

    Prefetch ``unit_managers`` (with their users) and select ``operations_manager__user`` for a batch.
    """
    people = list(deviation.unit_managers.all())
    if deviation.operations_manager_id is not None:
        people.append(deviation.operations_manager)
    return tuple({p.pk: p for p in people}.values())
