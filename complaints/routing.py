"""Who a complaint or a collaboration deviation goes to: the register on the date received (SPEC §3, §6a).

Reuses the deviation workflow's resolution (:mod:`incidents.routing`): the
unit's verksamhetschef, and the statutory MAS (the MAR for rehabilitation,
the MAS where no MAR holds the duty) — on the date the complaint was
received, never today's. Nothing is left without someone to act on it: where
the register resolves no MAS/MAR (none, or two), the board's own MAS takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incidents.routing import board_mas_on, duty_holder
from responsibility.choices import Role
from responsibility.models import Person, Unit
from responsibility.resolver import build_index, units_with_board


@dataclass(frozen=True)
class CaseRouting:
    """The people a complaint or collaboration deviation concerns on one date."""

    on: date
    operations_manager: Person | None
    duty_role: str
    duty_holder: Person | None


def route(*, unit: Unit | int, on: date, rehabilitation: bool = False, health_care: bool = True) -> CaseRouting:
    """Resolve the verksamhetschef and (for health care) the MAS/MAR of ``unit`` on ``on``.

    When the matter does not concern health care the MAS/MAR is only taken where the unit has no
    verksamhetschef on that date, so that someone always acts.
    """
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    unit = units_with_board(Unit.objects.filter(pk=unit_id)).get()
    index = build_index(units=[unit], on=on)
    manager = index.resolve(unit, Role.OPERATIONS_MANAGER).holder
    role, holder = duty_holder(index=index, unit=unit, rehabilitation=rehabilitation)
    if holder is None:
        holder = board_mas_on(unit=unit, on=on, role=role) or (
            board_mas_on(unit=unit, on=on, role=Role.MAS) if role != Role.MAS else None
        )
    if not health_care and manager is not None:
        return CaseRouting(on=on, operations_manager=manager, duty_role="", duty_holder=None)
    return CaseRouting(on=on, operations_manager=manager, duty_role=role, duty_holder=holder)


def duty_holders_on(*, unit_id: int, on: date) -> set[int]:
    """The ids of the statutory MAS and MAR of a unit on ``on`` (by the resolver)."""
    unit = units_with_board(Unit.objects.filter(pk=unit_id)).get()
    index = build_index(units=[unit], on=on)
    return {h.pk for role in (Role.MAS, Role.MAR) if (h := index.resolve(unit, role).holder) is not None}
