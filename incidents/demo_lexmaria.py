"""Demo Lex Maria cases: all four routing variants (SPEC §5), in several states. Idempotent.

Called at the end of ``incidents.demo.load``. Each case hangs on a demo
deviation found by its reference; missing deviations are created here, so the
module also works on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone, translation

from incidents.lexmaria import lex_maria_open, next_due_at
from incidents.models import (
    Deviation,
    DeviationCategory,
    DeviationState,
    LexMariaCase,
    LexMariaState,
    LexMariaTransition,
)
from responsibility.choices import LexMariaRoute, Role
from responsibility.models import Assignment, Municipality, Unit

# The order in which the demo walks a case forward, with the fields each step fills.
ORDER = [LexMariaState.DECIDED, LexMariaState.PATIENT_INFORMED, LexMariaState.ANALYSED,
         LexMariaState.BOARD_INFORMED, LexMariaState.REPORTED, LexMariaState.IVO_DECIDED, LexMariaState.CLOSED]


@dataclass(frozen=True)
class DemoCase:
    reference: str  # of the demo deviation
    route: str
    state: str
    days_ago: int  # when the event occurred
    description: str
    forwarded: bool = False


DEMO_CASES = [
    DemoCase("AV-DEMO-LM-01", LexMariaRoute.OWN, LexMariaState.DECIDED, 3,
             "Boende föll i badrummet nattetid; larmet var avstängt. Höftfraktur konstaterad på akuten."),
    DemoCase("AV-DEMO-LM-02", LexMariaRoute.OWN, LexMariaState.REPORTED, 75,
             "Insulin gavs i dubbel dos efter att signeringslistan inte uppdaterats vid ordinationsändring."),
    DemoCase("AV-DEMO-LM-03", LexMariaRoute.OWN, LexMariaState.CLOSED, 200,
             "Trycksår kategori 4 upptäcktes sent; vändschema hade inte följts under två veckor."),
    DemoCase("AV-DEMO-LM-04", LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS, LexMariaState.ANALYSED, 60,
             "Fördröjd läkarkontakt vid andningsbesvär; boende avled på sjukhus samma natt."),
    DemoCase("AV-DEMO-LM-05", LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS, LexMariaState.BOARD_INFORMED, 50,
             "Fel läkemedel delades ut till boende efter förväxling av dosetter.", forwarded=True),
    DemoCase("AV-DEMO-LM-06", LexMariaRoute.BOARD_MAS, LexMariaState.BOARD_INFORMED, 40,
             "Syrgasbehandling avbröts av misstag vid förflyttning; boende fick väsentligt ökat vårdbehov."),
    DemoCase("AV-DEMO-LM-07", LexMariaRoute.PROVIDER_MAS, LexMariaState.PATIENT_INFORMED, 20,
             "Boende med känd fallrisk föll från säng utan sänggrind enligt vårdplanen; skallskada."),
]


def _unit_for(route: str, municipality: Municipality) -> Unit | None:
    """A demo unit of the route, preferably in Hägersten-Liljeholmen (the demo board)."""
    units = Unit.objects.filter(municipality=municipality).select_related("board").order_by("code")
    if route == LexMariaRoute.OWN:
        return units.filter(code="hage-01").first()
    if route == LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS:
        return units.filter(code="hage-02").first()
    candidates = units.filter(contract__lex_maria_route=route, contract__provider__isnull=False)
    if route == LexMariaRoute.PROVIDER_MAS:
        # A provider with an appointed Lex Maria reporter (Åkerlunda has none: R6).
        with_reporter = Assignment.objects.filter(role=Role.LEX_MARIA_REPORTER, provider__isnull=False)
        candidates = candidates.filter(provider_id__in=with_reporter.values("provider_id"))
    return candidates.filter(board__code="hagersten-liljeholmen").first() or candidates.first()


def _category(municipality: Municipality) -> DeviationCategory:
    found = (DeviationCategory.objects.filter(municipality=municipality, active=True, is_rehabilitation=False)
             .order_by("order", "pk").first())
    if found is not None:
        return found
    category, _ = DeviationCategory.objects.get_or_create(municipality=municipality, code="fall",
                                                          defaults={"name": "Fall"})
    return category


def _deviation(spec: DemoCase, *, municipality: Municipality, unit: Unit, today: date) -> Deviation:
    existing = Deviation.objects.filter(municipality=municipality, reference=spec.reference).first()
    if existing is not None:
        return existing
    at = timezone.make_aware(datetime.combine(today - timedelta(days=spec.days_ago), time(22, 15)))
    return Deviation.objects.create(
        municipality=municipality, reference=spec.reference, unit=unit, state=DeviationState.ACTIONS,
        occurred_at=at, discovered_at=at + timedelta(minutes=20), reported_at=at + timedelta(hours=2),
        category=_category(municipality), description=spec.description,
        immediate_actions="Läkare kontaktades, anhöriga underrättades.", consequence=4, probability=3,
        risk_score=12, lex_maria_decision=True, assessed_at=at + timedelta(days=1),
        lex_maria_motivation="Händelsen har medfört en allvarlig vårdskada.",
    )


def _walk(case: LexMariaCase, spec: DemoCase, *, start: datetime) -> None:
    """Fill the steps up to ``spec.state`` (the demo's history), each a day or more apart."""
    target = ORDER.index(spec.state)
    reporter_user = case.reporter_person.user if case.reporter_person_id else None
    at = start
    previous = LexMariaState.DECIDED
    for state in ORDER[1:target + 1]:
        at += timedelta(days=3)
        day = timezone.localdate(at)
        if state == LexMariaState.PATIENT_INFORMED:
            case.patient_informed_at, case.patient_informed_by = day, "Enhetschef"
            case.patient_statement = "Anhörig beskriver att larmet inte besvarades."
        elif state == LexMariaState.ANALYSED:
            case.analysis_leader = case.reporter_person
            case.analysis_team = "Enhetschef, sjuksköterska, undersköterska, fysioterapeut"
            case.analysis_timeline = "Kväll: händelsen. Natt: upptäckt. Morgon: läkarbedömning."
            case.analysis_causes = "Rutinen följdes inte; bristande överlämning mellan arbetspass."
            case.analysis_actions = "Ny rutin för överlämning – enhetschef – inom 30 dagar"
            if spec.forwarded:
                case.forwarded_by_board_mas_at = day + timedelta(days=1)
        elif state == LexMariaState.BOARD_INFORMED:
            case.board_informed_at = day
        elif state == LexMariaState.REPORTED:
            case.ivo_sent_at, case.ivo_case_number = day, f"3.5.1-{10000 + case.pk}/{day.year}"
        elif state == LexMariaState.IVO_DECIDED:
            case.ivo_decision_at, case.ivo_outcome = day, "IVO avslutar ärendet; vårdgivarens åtgärder bedöms tillräckliga."
        elif state == LexMariaState.CLOSED:
            case.closed_at = at
        LexMariaTransition.objects.create(case=case, from_state=previous, to_state=state, actor=reporter_user,
                                          reason="Demo")
        previous = state
    case.state = spec.state
    case.version = target
    case.due_at = next_due_at(case, now=at)
    case.save()


@transaction.atomic
def load(*, today: date) -> int:
    """Create the demo Lex Maria cases that do not exist yet; return how many were created."""
    municipality = Municipality.objects.filter(code="stockholm").first()
    if municipality is None:
        return 0
    from django.contrib.auth import get_user_model

    mas = get_user_model().objects.filter(username="mas").first()
    created = 0
    with translation.override("sv"):
        for spec in DEMO_CASES:
            unit = _unit_for(spec.route, municipality)
            if unit is None:
                continue
            deviation = _deviation(spec, municipality=municipality, unit=unit, today=today)
            if LexMariaCase.objects.filter(deviation=deviation).exists():
                continue
            case = lex_maria_open(deviation=deviation, decided_by=mas,
                                  motivation=deviation.lex_maria_motivation or "Allvarlig vårdskada.")
            start = deviation.occurred_at + timedelta(days=2)
            LexMariaCase.objects.filter(pk=case.pk).update(decided_at=start)
            case.decided_at = start
            _walk(case, spec, start=start)
            created += 1
    return created
