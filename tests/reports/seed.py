"""Events for the report tests, added on top of the demo municipality (built with tests/factories.py).

Each deviation carries a patient identity (encrypted by the product's own
crypto, and also typed into the free text, as staff sometimes do) so that the
tests can prove it never reaches a report.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationCategory, DeviationState
from responsibility.models import Unit
from tests.factories import DeviationCategoryFactory, DeviationFactory, LexMariaCaseFactory, at

# Fictitious personnummer (Skatteverket's test numbers) used in the test events.
PATIENT_IDS = ("19121212-1212", "19800101-0019", "20101010-1010")
CATEGORIES = (("fall", "Fall"), ("lakemedel", "Läkemedel"), ("trycksar", "Trycksår"))


def category(code: str, municipality) -> DeviationCategory:
    return DeviationCategoryFactory(
        municipality=municipality, code=code, name=dict(CATEGORIES)[code], order=[c for c, _n in CATEGORIES].index(code)
    )


def deviation(
    *,
    unit: Unit,
    day: date,
    category_code: str = "fall",
    state: str = DeviationState.REGISTERED,
    consequence: int = 2,
    probability: int = 2,
    due_at=None,
    patient: str = PATIENT_IDS[0],
    lex_maria: bool | None = None,
) -> Deviation:
    return DeviationFactory(
        unit=unit,
        state=state,
        occurred_at=at(day),
        discovered_at=at(day, 11),
        reported_at=at(day, 12),
        category=category(category_code, unit.municipality),
        description=f"Patienten {patient} föll i korridoren.",
        patient=patient,
        consequence=consequence,
        probability=probability,
        due_at=due_at,
        lex_maria_decision=lex_maria,
    )


def lex_maria_case(*, dev: Deviation, decided: date, ivo_sent: date | None = None, outcome: str = "") -> LexMariaCase:
    return LexMariaCaseFactory(
        deviation=dev,
        decided_at=at(decided),
        motivation=f"Allvarlig vårdskada för {PATIENT_IDS[0]}.",
        patient_statement=f"Patient {PATIENT_IDS[0]} berättar.",
        ivo_sent_at=ivo_sent,
        ivo_case_number="IVO 3.5.1-1234/2026" if ivo_sent else "",
        ivo_outcome=outcome,
    )


def seed_period(*, start: date) -> dict:
    """A known set of events for the Ekbacken unit (hage-01) and a contracted unit (hage-02) in a 3-month period."""
    ekbacken = Unit.objects.select_related("municipality", "board").get(code="hage-01")
    contracted = Unit.objects.select_related("municipality", "board").get(code="hage-02")
    past = timezone.now() - timedelta(days=3)
    made = [
        deviation(unit=ekbacken, day=start + timedelta(days=2), category_code="fall"),
        deviation(
            unit=ekbacken,
            day=start + timedelta(days=10),
            category_code="fall",
            consequence=3,
            probability=3,
            state=DeviationState.INVESTIGATING,
            due_at=past,
            patient=PATIENT_IDS[1],
        ),
        deviation(
            unit=ekbacken,
            day=start + timedelta(days=40),
            category_code="lakemedel",
            consequence=4,
            probability=3,
            state=DeviationState.AWAITING_MAS,
            due_at=past,
            lex_maria=True,
        ),
        deviation(
            unit=contracted,
            day=start + timedelta(days=50),
            category_code="trycksar",
            state=DeviationState.CLOSED,
            patient=PATIENT_IDS[2],
        ),
        deviation(
            unit=contracted,
            day=start + timedelta(days=70),
            category_code="fall",
            consequence=1,
            probability=1,
            state=DeviationState.REJECTED,
        ),
        deviation(
            unit=contracted, day=start + timedelta(days=75), category_code="lakemedel", state=DeviationState.DRAFT
        ),  # a draft is not a report
    ]
    case = lex_maria_case(
        dev=made[2],
        decided=start + timedelta(days=42),
        ivo_sent=start + timedelta(days=52),
        outcome=f"IVO avslutar ärendet; patient {PATIENT_IDS[0]} informerad.",
    )
    return {"deviations": made, "case": case, "ekbacken": ekbacken, "contracted": contracted}
