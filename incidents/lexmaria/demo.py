"""Demo Lex Maria cases: all four routing variants (SPEC §5), in several states, decided and taken step
by step through the services the UI uses. Idempotent.

Called at the end of ``incidents.demo.load``. Each case hangs on a demo
deviation found by its reference; missing deviations are created here, so the
module also works on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from incidents import routing
from incidents.lexmaria.actors import board_official_users
from incidents.lexmaria.models import LexMariaCase, LexMariaState
from incidents.lexmaria.services import STEP_SERVICES, AnalysisAction
from incidents.lexmaria.steps import Actor, Step, actors_for, next_due_at
from incidents.models import Deviation, DeviationCategory, DeviationState
from incidents.reporting import apply_owner
from incidents.services import deviation_assess
from responsibility.choices import LexMariaRoute, Role
from responsibility.models import Assignment, Municipality, Person, Unit

# The order in which the demo walks a case forward, with the fields each step fills.
ORDER = [
    LexMariaState.DECIDED,
    LexMariaState.PATIENT_INFORMED,
    LexMariaState.ANALYSED,
    LexMariaState.BOARD_INFORMED,
    LexMariaState.REPORTED,
    LexMariaState.IVO_DECIDED,
    LexMariaState.CLOSED,
]


@dataclass(frozen=True)
class DemoCase:
    reference: str  # of the demo deviation
    route: str
    state: str
    days_ago: int  # when the event occurred
    description: str
    forwarded: bool = False
    report_first: bool = False  # reported to IVO "snarast", before the analysis
    last_year_on: tuple[int, int] | None = None  # occurred last calendar year on (month, day), not days_ago

    def occurred_days_ago(self, today: date) -> int:
        if self.last_year_on is None:
            return self.days_ago
        return (today - date(today.year - 1, *self.last_year_on)).days


DEMO_CASES = [
    DemoCase(
        "AV-DEMO-LM-01",
        LexMariaRoute.OWN,
        LexMariaState.DECIDED,
        3,
        "Boende föll i badrummet nattetid; larmet var avstängt. Höftfraktur konstaterad på akuten.",
    ),
    DemoCase(
        "AV-DEMO-LM-02",
        LexMariaRoute.OWN,
        LexMariaState.REPORTED,
        75,
        "Insulin gavs i dubbel dos efter att signeringslistan inte uppdaterats vid ordinationsändring.",
    ),
    DemoCase(
        "AV-DEMO-LM-03",
        LexMariaRoute.OWN,
        LexMariaState.CLOSED,
        200,
        "Trycksår kategori 4 upptäcktes sent; vändschema hade inte följts under två veckor.",
    ),
    DemoCase(
        "AV-DEMO-LM-04",
        LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
        LexMariaState.ANALYSED,
        60,
        "Fördröjd läkarkontakt vid andningsbesvär; boende avled på sjukhus samma natt.",
    ),
    DemoCase(
        "AV-DEMO-LM-05",
        LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
        LexMariaState.BOARD_INFORMED,
        50,
        "Fel läkemedel delades ut till boende efter förväxling av dosetter.",
        forwarded=True,
    ),
    DemoCase(
        "AV-DEMO-LM-06",
        LexMariaRoute.BOARD_MAS,
        LexMariaState.BOARD_INFORMED,
        40,
        "Syrgasbehandling avbröts av misstag vid förflyttning; boende fick väsentligt ökat vårdbehov.",
    ),
    DemoCase(
        "AV-DEMO-LM-07",
        LexMariaRoute.PROVIDER_MAS,
        LexMariaState.PATIENT_INFORMED,
        20,
        "Boende med känd fallrisk föll från säng utan sänggrind enligt vårdplanen; skallskada.",
        report_first=True,
    ),
    # Last year's cases, finished: the patientsäkerhetsberättelse and the year's Lex Maria summary show them.
    DemoCase(
        "AV-DEMO-LM-08",
        LexMariaRoute.OWN,
        LexMariaState.CLOSED,
        0,
        "Boende fick en annan boendes läkemedel vid kvällsmedicineringen; blödning krävde sjukhusvård.",
        last_year_on=(3, 14),
    ),
    DemoCase(
        "AV-DEMO-LM-09",
        LexMariaRoute.OWN,
        LexMariaState.CLOSED,
        0,
        "Undernäring upptäcktes sent trots viktnedgång i journalen; nutritionsbedömning saknades.",
        last_year_on=(9, 2),
    ),
]
# A serious deviation on the R12 unit (run without a contract in force, no MAS appointed): sent to MAS,
# it lands with the board's MAS marked "Ansvar oklart" (SPEC §3).
UNCLEAR_REFERENCE = "AV-DEMO-OKLART-01"
UNCLEAR_UNIT = "span-92"


def _unit_for(route: str, municipality: Municipality) -> Unit | None:
    """A demo unit of the route, preferably in Hägersten-Liljeholmen (the demo board)."""
    units = Unit.objects.filter(municipality=municipality).select_related("board").order_by("code")
    if route == LexMariaRoute.OWN:
        return units.filter(code="hage-01").first()
    if route == LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS:
        return units.filter(code="hage-02").first()
    candidates = units.filter(
        contract__lex_maria_route=route, contract__provider__isnull=False, contract__predates_route_rule=False
    )
    if route == LexMariaRoute.PROVIDER_MAS:
        # A provider with an appointed Lex Maria reporter (Åkerlunda has none: R6).
        with_reporter = Assignment.objects.filter(role=Role.LEX_MARIA_REPORTER, provider__isnull=False)
        candidates = candidates.filter(provider_id__in=with_reporter.values("provider_id"))
    return candidates.filter(board__code="hagersten-liljeholmen").first() or candidates.first()


def _category(municipality: Municipality) -> DeviationCategory:
    found = (
        DeviationCategory.objects.filter(municipality=municipality, active=True, is_rehabilitation=False)
        .order_by("order", "pk")
        .first()
    )
    if found is not None:
        return found
    category, _ = DeviationCategory.objects.get_or_create(
        municipality=municipality, code="fall", defaults={"name": "Fall"}
    )
    return category


def _deviation(
    reference: str, description: str, *, days_ago: int, municipality: Municipality, unit: Unit, today: date
) -> Deviation:
    """A serious demo deviation awaiting MAS assessment, routed by the register like a real one."""
    existing = Deviation.objects.filter(municipality=municipality, reference=reference).first()
    if existing is not None:
        return existing
    at = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(22, 15)))
    deviation = Deviation(
        municipality=municipality,
        reference=reference,
        unit=unit,
        state=DeviationState.AWAITING_MAS,
        occurred_at=at,
        discovered_at=at + timedelta(minutes=20),
        reported_at=at + timedelta(hours=2),
        category=_category(municipality),
        description=description,
        immediate_actions="Läkare kontaktades, anhöriga underrättades.",
        consequence=4,
        probability=3,
        risk_score=12,
    )
    deviation.save()
    route = routing.route(deviation=deviation)
    routing.store_routing(deviation=deviation, route=route)  # the verksamhetschef is named in "whose move"
    apply_owner(deviation, route.owner)
    deviation.save()
    routing.store_unit_managers(deviation=deviation, route=route)
    return deviation


def _user_of(person: Person | None):
    """The login of a demo person who must act; people without one get a login that cannot sign in."""
    if person is None:
        return None
    if person.user_id is None:
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=f"demo-{person.pk}",
            defaults={"first_name": person.first_name, "last_name": person.last_name, "email": person.email},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        person.user = user
        person.save(update_fields=["user"])
    return person.user


def _as(case: LexMariaCase, actor: str):
    if actor == Actor.REPORTER:
        return _user_of(case.reporter_person)
    if actor == Actor.BOARD_MAS:
        return _user_of(case.board_mas)
    if actor == Actor.BOARD_OFFICIAL:
        officials = board_official_users(case=case)
        return officials[0] if officials else None
    return None


def _take(case: LexMariaCase, step: str, **kwargs) -> LexMariaCase:
    """Take ``step`` through its service (the one the UI calls) as whoever the route lets take it."""
    case.refresh_from_db()
    user = next((u for u in (_as(case, a) for a in actors_for(case=case, step=step)) if u is not None), None)
    return STEP_SERVICES[step](case=case, user=user, version=case.version, **kwargs)


def _walk(case: LexMariaCase, spec: DemoCase, *, start: date) -> None:
    """Take the steps up to ``spec.state`` through the services, dated a few days apart."""
    target = ORDER.index(spec.state)

    def day(n: int) -> date:
        return min(start + timedelta(days=3 * n), timezone.localdate())

    if spec.report_first:
        _take(case, Step.REPORT_TO_IVO, sent_at=day(0), ivo_case_number=f"3.5.1-{10000 + case.pk}/{day(0).year}")
    if target >= ORDER.index(LexMariaState.PATIENT_INFORMED):
        _take(
            case,
            Step.INFORM_PATIENT,
            informed_at=day(1),
            informed_by="Enhetschef",
            patient_statement="Anhörig beskriver att larmet inte besvarades.",
        )
    if target >= ORDER.index(LexMariaState.ANALYSED):
        leader = case.reporter_person
        _take(
            case,
            Step.ANALYSE,
            leader=leader,
            team="Enhetschef, sjuksköterska, undersköterska, fysioterapeut",
            timeline="Kväll: händelsen. Natt: upptäckt. Morgon: läkarbedömning.",
            causes="Rutinen följdes inte; bristande överlämning mellan arbetspass.",
            actions=[
                AnalysisAction(
                    description="Ny rutin för överlämning",
                    owner=leader,
                    deadline=timezone.localdate() + timedelta(days=30),
                )
            ],
        )
        if spec.forwarded:
            _take(case, Step.FORWARD, forwarded_at=day(2))
    if target >= ORDER.index(LexMariaState.BOARD_INFORMED):
        _take(case, Step.INFORM_BOARD, informed_at=day(3))
    if target >= ORDER.index(LexMariaState.REPORTED):
        _take(case, Step.REPORT_TO_IVO, sent_at=day(4), ivo_case_number=f"3.5.1-{10000 + case.pk}/{day(4).year}")
        _take(case, Step.SEND_INVESTIGATION, sent_at=day(4))
    if target >= ORDER.index(LexMariaState.IVO_DECIDED):
        _take(
            case,
            Step.IVO_DECISION,
            decided_at=day(5),
            outcome="IVO avslutar ärendet; vårdgivarens åtgärder bedöms tillräckliga.",
        )
    if target >= ORDER.index(LexMariaState.CLOSED):
        _take(case, Step.CLOSE, reason="Demo")


@transaction.atomic
def load(*, today: date) -> int:
    """Create the demo Lex Maria cases that do not exist yet; return how many were created.

    Each case is decided by the MAS/MAR who holds the deviation's assessment for its variant, through
    :func:`incidents.services.deviation_assess` (the service the UI uses), and its steps are taken
    through the step services by whoever the route lets take them.
    """
    municipality = Municipality.objects.filter(code="stockholm").first()
    if municipality is None:
        return 0
    created = 0
    with translation.override("sv"):
        for spec in DEMO_CASES:
            unit = _unit_for(spec.route, municipality)
            if unit is None:
                continue
            deviation = _deviation(
                spec.reference,
                spec.description,
                days_ago=spec.occurred_days_ago(today),
                municipality=municipality,
                unit=unit,
                today=today,
            )
            if LexMariaCase.objects.filter(deviation=deviation).exists():
                continue
            decider = _user_of(deviation.mas_person)
            if decider is None:
                continue
            deviation_assess(
                deviation=deviation,
                user=decider,
                version=deviation.version,
                assessment="Händelsen har medfört en allvarlig vårdskada.",
                lex_maria=True,
                motivation="Händelsen har medfört en allvarlig vårdskada.",
            )
            case = LexMariaCase.objects.get(deviation=deviation)
            decided = deviation.occurred_at + timedelta(days=2)
            LexMariaCase.objects.filter(pk=case.pk).update(decided_at=decided)
            Deviation.objects.filter(pk=deviation.pk).update(assessed_at=decided)
            case.refresh_from_db()
            _walk(case, spec, start=timezone.localdate(decided))
            case.refresh_from_db()
            LexMariaCase.objects.filter(pk=case.pk).update(due_at=next_due_at(case))
            created += 1
        unit = Unit.objects.filter(municipality=municipality, code=UNCLEAR_UNIT).first()
        if unit is not None:
            _deviation(
                UNCLEAR_REFERENCE,
                "Boende fick fel insulindos; blodsockret sjönk kraftigt och boende fördes till akuten.",
                days_ago=2,
                municipality=municipality,
                unit=unit,
                today=today,
            )
    return created
