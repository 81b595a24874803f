"""Deviations and Lex Maria cases for the Lex Maria tests, on the demo organisation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from incidents.lexmaria.services import lex_maria_open
from incidents.models import Deviation, DeviationCategory, DeviationState, LexMariaCase
from responsibility.models import Municipality, Unit

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
        return Unit.objects.select_related("board").filter(contract__lex_maria_route="board_mas").order_by("code").first()
    return (
        Unit.objects.select_related("board")
        .filter(contract__lex_maria_route="provider_mas", contract__provider__name__startswith="Havsutsikten")
        .order_by("code")
        .first()
    )


def category(*, rehabilitation: bool = False) -> DeviationCategory:
    municipality = Municipality.objects.get(code="stockholm")
    code = "lm-test-rehab" if rehabilitation else "lm-test"
    cat, _ = DeviationCategory.objects.get_or_create(
        municipality=municipality, code=code,
        defaults={"name": "Fall" if not rehabilitation else "Rehabilitering", "is_rehabilitation": rehabilitation},
    )
    return cat


def deviation(*, unit: Unit, occurred: date | None = None, rehabilitation: bool = False, **extra) -> Deviation:
    occurred = occurred or timezone.localdate() - timedelta(days=10)
    at = timezone.make_aware(datetime.combine(occurred, time(14, 30)))
    fields = {
        "municipality_id": unit.municipality_id, "unit": unit, "state": DeviationState.AWAITING_MAS,
        "occurred_at": at, "discovered_at": at + timedelta(hours=1), "reported_at": at + timedelta(hours=2),
        "category": category(rehabilitation=rehabilitation), "description": "Fall i korridoren, höftfraktur.",
        "consequence": 4, "probability": 3, "risk_score": 12,
    }
    fields.update(extra)
    dev = Deviation.objects.create(**fields)
    dev.reference = f"AV-TEST-{dev.pk:06d}"
    dev.save(update_fields=["reference"])
    return dev


def user(username: str):
    return get_user_model().objects.get(username=username)


def open_case(*, route: str = "own", occurred: date | None = None, decided_by=None) -> LexMariaCase:
    dev = deviation(unit=unit_for_route(route), occurred=occurred)
    return lex_maria_open(deviation=dev, decided_by=decided_by or user("mas"),
                          motivation="Allvarlig vårdskada: höftfraktur efter fall.")


def user_for(person):
    """The login of ``person``, created when the demo gave them none."""
    if person.user_id is None:
        person.user = get_user_model().objects.create_user(
            username=f"p{person.pk}", email=person.email or f"p{person.pk}@example.se", password="demo",  # noqa: S106 - the demo password
            first_name=person.first_name, last_name=person.last_name,
        )
        person.save(update_fields=["user"])
    return person.user
