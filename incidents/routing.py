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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Deviation
from responsibility.choices import MasHeldBy, Role
from responsibility.models import Assignment, Person, Unit
from responsibility.resolver import (
    Resolution,
    ResponsibilityIndex,
    board_duty_holder,
    build_index,
    duty_resolution,
    units_with_board,
)


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
            "count": len(resolution.holders), "role": role_label,
            "names": ", ".join(p.full_name for p in resolution.holders)}
    else:
        operation = index.operation(resolution.unit) if index is not None and resolution.unit.pk else None
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
        "rule": rule, "gap": gap, "detail": resolution.reason}


def fallback_owner(*, unit: Unit, on: date) -> Person | None:
    """SPEC §3 "No case without an owner": the board's MAS for the unit's board; None means the register admins."""
    return board_duty_holder(board=unit.board, role=Role.MAS, on=on).holder


def duty_owner(*, index: ResponsibilityIndex, unit: Unit, rehabilitation: bool) -> Owner:
    """The MAS/MAR who assesses a deviation on ``unit``, or the fallback marked "Ansvar oklart"."""
    resolution = duty_resolution(lambda role: index.resolve(unit, role), rehabilitation=rehabilitation)
    if resolution.holder is not None:
        deputy_for = resolution.deputy.deputy_for.person if resolution.deputy is not None else None
        return Owner(role=resolution.role, person=resolution.holder, deputy_for=deputy_for)
    return Owner(role=resolution.role, person=fallback_owner(unit=unit, on=index.on),
                 unclear_reason=gap_reason(resolution, index=index))


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


def unit_managers_on(*, unit: Unit, on: date) -> tuple[Person, ...]:
    """The enhetschef(s) assigned to ``unit`` on ``on`` (not a statutory role, so read from the register directly)."""
    assignments = (
        Assignment.objects.filter(role=Role.UNIT_MANAGER, unit=unit, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("person__user")
        .order_by("valid_from", "pk")
    )
    return tuple({a.person_id: a.person for a in assignments}.values())


def board_mas_on(*, unit: Unit, on: date, role: str) -> Person | None:
    """The board's own MAS/MAR for ``unit``'s board on ``on`` (asked of the resolver for the board's egen regi)."""
    return board_duty_holder(board=unit.board, role=role, on=on).holder


def copies_board_mas(contract) -> bool:
    """Whether the board's MAS gets a copy: the contract in force keeps the MAS duty with the contractor
    and asks it to inform the board's MAS (SPEC §3)."""
    return contract is not None and contract.informs_board_mas and contract.mas_held_by == MasHeldBy.CONTRACTOR


def route(*, deviation: Deviation) -> Routing:
    """Resolve everyone ``deviation`` concerns on its event date."""
    on = event_date(deviation)
    unit = units_with_board(Unit.objects.filter(pk=deviation.unit_id)).get()
    index = build_index(units=[unit], on=on)
    owner = duty_owner(index=index, unit=unit, rehabilitation=deviation.category.is_rehabilitation)
    role, holder = owner.role, (None if owner.unclear else owner.person)
    copy_to = None
    if copies_board_mas(index.operation(unit).contract_in_force):
        copy_to = board_mas_on(unit=unit, on=on, role=role)
        if copy_to is not None and holder is not None and copy_to.pk == holder.pk:
            copy_to = None
    return Routing(
        on=on,
        operations_manager=index.resolve(unit, Role.OPERATIONS_MANAGER).holder,
        unit_managers=unit_managers_on(unit=unit, on=on),
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
