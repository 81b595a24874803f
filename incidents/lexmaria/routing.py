"""Who is in a Lex Maria case's chain (SPEC §5 variant table): route, anmälningsansvarig, the board's MAS.

Resolved from the register on the date of the event (never today's date) with the same engine and
look-ups as :func:`incidents.routing.route`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Deviation
from incidents.routing import RoutingIndex, fallback_owner, gap_reason, lookups_for
from responsibility.choices import LexMariaRoute, Role, Scope
from responsibility.models import Board, Person
from responsibility.resolver import Resolution, duty_resolution

Route = LexMariaRoute


@dataclass(frozen=True)
class Chain:
    """Who is in a case's chain on the event date (SPEC §5 variant table), or who holds it until routed."""

    route: str
    board: Board
    purchasing_board: Board | None
    reporter: Person | None
    board_mas: Person | None
    reason: str
    reporter_deputy_for: Person | None = None
    unclear_reason: str = ""
    fallback: Person | None = None


def event_date(deviation: Deviation) -> date:
    return timezone.localdate(deviation.occurred_at)


def _reporter(resolve: Callable[[str], Resolution], *, rehabilitation: bool) -> tuple[Resolution, Resolution]:
    """The anmälningsansvarig; where none is appointed, the duty holder (MAR → MAS, the one rule)."""
    appointed = resolve(Role.LEX_MARIA_REPORTER)
    if appointed.holder is not None:
        return appointed, appointed
    return appointed, duty_resolution(resolve, rehabilitation=rehabilitation)


def resolve_chain(deviation: Deviation, *, index: RoutingIndex | None = None) -> Chain:
    """Resolve route, reporter and the board's MAS for ``deviation`` on its event date.

    ``index``: a :class:`incidents.routing.RoutingIndex` holding the unit, built for the event date,
    when the caller routes many cases (the same engine and look-ups as :func:`incidents.routing.route`).

    The route and the reporter come only from the contract in force, or from egen regi (SPEC §5
    ownership guard). A unit run by another vårdgivare without a contract in force (R12), or whose
    contract contradicts itself (R11), is reported by that provider's own anmälningsansvarig — the
    board's MAS is never the reporter of another vårdgivare's event. Where nobody resolves, the case
    is marked "Ansvar oklart" with its fallback (SPEC §3): the board's MAS holds it for the board's
    own routes; another vårdgivare's case waits in the register admins' list of unrouted cases.
    """
    on = index.on if index is not None else event_date(deviation)
    unit, lookups = lookups_for(unit_id=deviation.unit_id, on=on, index=index)
    register = lookups.register
    operation = register.operation(unit)
    contract = operation.contract_in_force
    rehabilitation = deviation.category.is_rehabilitation
    guard = ""
    if not operation.by_other_provider:
        route = Route.OWN
    elif contract is not None and contract.route_agrees and contract.lex_maria_route != Route.OWN:
        route = contract.lex_maria_route
    else:
        # The vårdgivare reports events in its own business (IVO); nothing is guessed from the board.
        route = Route.PROVIDER_MAS
        if contract is None:
            guard = _("R12: the unit is run by another care provider (vårdgivare) without a contract in force.")
        else:
            guard = _("R11: contract %(case)s contradicts itself (type, MAS duty and Lex Maria route).") % {
                "case": contract.case_number
            }
    if route == Route.BOARD_MAS:
        appointed, found = _reporter(lambda role: lookups.board_holder(unit.board, role), rehabilitation=rehabilitation)
    elif guard:
        own = (Scope.UNIT, Scope.PROVIDER)  # the provider's own register only
        appointed, found = _reporter(
            lambda role: register.resolve(unit, role, levels=own), rehabilitation=rehabilitation
        )
    else:
        appointed, found = _reporter(lambda role: register.resolve(unit, role), rehabilitation=rehabilitation)
    reporter = found.holder
    deputy_for = found.deputy.deputy_for.person if reporter is not None and found.deputy is not None else None
    board_mas = None
    if route == Route.CONTRACTOR_VIA_BOARD_MAS:
        board_mas = duty_resolution(
            lambda role: lookups.board_holder(unit.board, role), rehabilitation=rehabilitation
        ).holder
    purchasing_board = contract.purchasing_board if contract is not None and route != Route.OWN else None
    reason = " ".join(p for p in (guard, found.reason) if p)
    unclear_reason, fallback = "", None
    if reporter is None:
        unclear_reason = " ".join(p for p in (guard, gap_reason(appointed, index=register)) if p)
        if route in (Route.OWN, Route.BOARD_MAS):
            fallback = fallback_owner(unit=unit, on=on, index=lookups)
    return Chain(
        route=route,
        board=unit.board,
        purchasing_board=purchasing_board,
        reporter=reporter,
        board_mas=board_mas,
        reason=reason,
        reporter_deputy_for=deputy_for,
        unclear_reason=unclear_reason,
        fallback=fallback,
    )
