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

from incidents.routing import RoutingIndex, duty_owner, lookups_for
from responsibility.choices import Role
from responsibility.models import Person, Unit


@dataclass(frozen=True)
class CaseRouting:
    """The people a complaint or collaboration deviation concerns on one date.

    ``unclear_reason`` is set when the register resolves no MAS/MAR (none, or two): the case then goes
    to the board's MAS (``duty_holder``; None means the register admins) marked "Ansvar oklart".
    """

    on: date
    operations_manager: Person | None
    duty_role: str
    duty_holder: Person | None
    unclear_reason: str = ""


def route(
    *,
    unit: Unit | int,
    on: date,
    rehabilitation: bool = False,
    health_care: bool = True,
    index: RoutingIndex | None = None,
) -> CaseRouting:
    """Resolve the verksamhetschef and (for health care) the MAS/MAR of ``unit`` on ``on``.

    The MAS/MAR comes from the deviation workflow's rule (:func:`incidents.routing.duty_owner`: MAR for
    rehabilitation, else MAS, the board's MAS when the register has a gap). When the matter does not
    concern health care the MAS/MAR is only taken where the unit has no verksamhetschef on that date,
    so that someone always acts. The same engine as deviations: ``index`` (a
    :class:`incidents.routing.RoutingIndex` for ``on``) when the caller routes many cases.
    """
    unit_id = unit.pk if isinstance(unit, Unit) else unit
    unit, lookups = lookups_for(unit_id=unit_id, on=on, index=index)
    manager = lookups.register.resolve(unit, Role.OPERATIONS_MANAGER).holder
    if not health_care and manager is not None:
        return CaseRouting(on=on, operations_manager=manager, duty_role="", duty_holder=None)
    owner = duty_owner(index=lookups, unit=unit, rehabilitation=rehabilitation)
    return CaseRouting(
        on=on,
        operations_manager=manager,
        duty_role=owner.role,
        duty_holder=owner.person,
        unclear_reason=owner.unclear_reason,
    )


def duty_holders_on(*, unit_id: int, on: date, index: RoutingIndex | None = None) -> set[int]:
    """The ids of the statutory MAS and MAR of a unit on ``on`` (by the resolver)."""
    unit, lookups = lookups_for(unit_id=unit_id, on=on, index=index)
    return {h.pk for role in (Role.MAS, Role.MAR) if (h := lookups.register.resolve(unit, role).holder) is not None}
