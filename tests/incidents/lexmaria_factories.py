"""Deviations and Lex Maria cases for the Lex Maria tests, on the demo organisation."""

from __future__ import annotations

from datetime import date

from incidents.lexmaria.models import LexMariaCase
from incidents.lexmaria.services import lex_maria_open
from incidents.models import Deviation, DeviationCategory
from responsibility.models import Municipality, Unit
from tests.factories import DeviationCategoryFactory, DeviationFactory, user

# A valid demo personnummer (check digit right) that must never appear on Lex Maria pages.
DEMO_PERSONNUMMER = "19121212-1212"

# One demo unit per routing variant (SPEC §5), by code.
VARIANT_UNITS = {
    "own": "hage-01",  # Ekbacken, egen regi of Hägersten-Liljeholmen
    "contractor_via_board_mas": "hage-02",  # Norrsken Omsorg AB, entreprenad, contractor holds MAS
}


def unit_for_route(route: str) -> Unit:
    """A demo unit whose contract (or egen regi) gives ``route``."""
    if route in VARIANT_UNITS:
        return Unit.objects.select_related("board").get(code=VARIANT_UNITS[route])
    if route == "board_mas":
        return (
            Unit.objects.select_related("board").filter(contract__lex_maria_route="board_mas").order_by("code").first()
        )
    return (
        Unit.objects.select_related("board")
        .filter(contract__lex_maria_route="provider_mas", contract__provider__name__startswith="Havsutsikten")
        .order_by("code")
        .first()
    )


def category(*, rehabilitation: bool = False) -> DeviationCategory:
    code = "lm-test-rehab" if rehabilitation else "lm-test"
    return DeviationCategoryFactory(
        municipality=Municipality.objects.get(code="stockholm"),
        code=code,
        name="Fall" if not rehabilitation else "Rehabilitering",
        is_rehabilitation=rehabilitation,
    )


def deviation(*, unit: Unit, occurred: date | None = None, rehabilitation: bool = False, **extra) -> Deviation:
    """A deviation awaiting the MAS at ``unit`` (consequence 4 × probability 3), numbered AV-TEST-<pk>."""
    fields = {"category": category(rehabilitation=rehabilitation), "risk_score": 12, **extra}
    if occurred is not None:
        fields["day"] = occurred
    return DeviationFactory(unit=unit, **fields)


def open_case(*, route: str = "own", occurred: date | None = None, decided_by=None) -> LexMariaCase:
    dev = deviation(unit=unit_for_route(route), occurred=occurred)
    return lex_maria_open(
        deviation=dev, decided_by=decided_by or user("mas"), motivation="Allvarlig vårdskada: höftfraktur efter fall."
    )
