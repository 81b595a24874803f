"""Demo deviations (SPEC §4, §9): the categories and ~120 deviations over 14 months. Idempotent.

Every demo deviation has a reference of its own series (``AV-YYYY-9NNNNN``),
so a second run finds it and creates nothing; the register decides routing
(:func:`incidents.routing.route`, on the event date) exactly as for real
reports. The Lex Maria cases come from :mod:`incidents.lexmaria.demo`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from incidents import patient, routing
from incidents.models import (
    Deviation,
    DeviationAction,
    DeviationCategory,
    DeviationState,
    DeviationTransition,
    EventKind,
    PatientDataAccess,
)
from responsibility.choices import Role
from responsibility.models import Assignment, Municipality, Unit
from responsibility.validators import luhn_ok

# SPEC §4: (code, name, rehabilitation → MAR, always to MAS/MAR).
CATEGORIES = [
    ("fall", "Fall", False, False),
    ("lakemedel", "Läkemedel", False, False),
    ("vard-behandling", "Vård och behandling", False, False),
    ("information", "Informationsöverföring/dokumentation", False, False),
    ("mtp-hjalpmedel", "Medicinteknisk produkt/hjälpmedel", True, False),
    ("infektion-hygien", "Vårdrelaterad infektion/hygien", False, False),
    ("trycksar", "Trycksår", False, False),
    ("bemotande", "Bemötande", False, False),
    ("hot-vald", "Hot och våld", False, False),
    ("ovrigt", "Övrigt", False, False),
]

DESCRIPTIONS = {
    "fall": ["Boende hittades på golvet bredvid sängen vid nattrond.", "Boende föll vid förflyttning till rullstol."],
    "lakemedel": [
        "Kvällsdosen av ett läkemedel gavs inte; signeringslistan var tom.",
        "Fel dosett delades ut vid lunch; upptäcktes direkt.",
    ],
    "vard-behandling": ["Ordinerad vätskelista fördes inte under helgen.", "Sårvård utfördes inte enligt ordination."],
    "information": [
        "Ändrad ordination fördes inte vidare vid överrapportering.",
        "Journalanteckning saknades efter läkarbesök.",
    ],
    "mtp-hjalpmedel": ["Lyftselen var trasig men användes.", "Rollatorns broms fungerade inte."],
    "infektion-hygien": [
        "Basala hygienrutiner följdes inte vid kateterbyte.",
        "Flera boende fick magsjuka samma vecka.",
    ],
    "trycksar": ["Trycksår kategori 2 upptäcktes på hälen.", "Vändschema följdes inte under natten."],
    "bemotande": ["Anhörig upplevde otrevligt bemötande vid besök.", "Boende fick vänta länge på hjälp vid larm."],
    "hot-vald": ["Boende slog personal vid omvårdnad.", "Hot från besökare i entrén."],
    "ovrigt": ["Larmet till lägenheten fungerade inte.", "Nyckel till läkemedelsskåpet saknades."],
}

# (state, weight): a spread over the whole workflow.
STATES = [
    (DeviationState.REGISTERED, 14),
    (DeviationState.INVESTIGATING, 18),
    (DeviationState.AWAITING_MAS, 14),
    (DeviationState.ACTIONS, 20),
    (DeviationState.CLOSED, 40),
    (DeviationState.REJECTED, 6),
]
COUNT = 120
DRAFTS = 3
# Last calendar year's finished deviations (mostly at Ekbacken, the board's own unit), so that the
# patientsäkerhetsberättelse and the year-on-year comparisons of the reports have a real year to show.
LAST_YEAR = 70
SERIES_START = 900001


def fictitious_personnummer(rng: random.Random) -> str:
    """A valid-looking (check digit right) but fictitious personnummer of someone born 1928–1950."""
    while True:
        year = rng.randint(1928, 1950)
        born = date(year, rng.randint(1, 12), rng.randint(1, 28))
        base = born.strftime("%y%m%d") + f"{rng.randint(980, 999):03d}"
        for check in range(10):
            if luhn_ok(base + str(check)):
                return f"{born:%Y%m%d}-{base[6:]}{check}"


def ensure_categories(municipality: Municipality) -> dict[str, DeviationCategory]:
    categories = {}
    for order, (code, name, rehab, always) in enumerate(CATEGORIES):
        categories[code], _ = DeviationCategory.objects.get_or_create(
            municipality=municipality,
            code=code,
            defaults={"name": name, "is_rehabilitation": rehab, "always_to_mas": always, "order": order * 10},
        )
    return categories


def _unit_users(unit: Unit, role: str, on: date) -> list:
    people = Assignment.objects.filter(
        unit=unit, role=role, valid_from__lte=on, person__user__isnull=False
    ).select_related("person__user")
    return [a.person.user for a in people]


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@transaction.atomic
def load(*, today: date) -> int:
    """Create the demo categories and deviations that do not exist yet; return how many deviations were made."""
    municipality = Municipality.objects.filter(code="stockholm").first()
    if municipality is None:
        return 0
    with translation.override("sv"):
        created = _load(municipality=municipality, today=today)
    try:
        from incidents.lexmaria import demo as demo_lexmaria
    except ImportError:
        demo_lexmaria = None
    if demo_lexmaria is not None:
        demo_lexmaria.load(today=today)
    backfill_routing(municipality=municipality)
    _accesses(municipality=municipality)
    return created


def _accesses(*, municipality: Municipality) -> None:
    """A few access-log rows, so that the MAS's log review has something to review."""
    enhetschef = get_user_model().objects.filter(username="enhetschef").first()
    if enhetschef is None:
        return
    with_patient = (
        Deviation.objects.filter(municipality=municipality, unit__code="hage-01")
        .exclude(patient_hash="")
        .exclude(state=DeviationState.DRAFT)
        .order_by("pk")[:6]
    )
    for deviation in with_patient:
        if not PatientDataAccess.objects.filter(user=enhetschef, deviation=deviation).exists():
            PatientDataAccess.objects.create(
                user=enhetschef,
                deviation=deviation,
                unit_id=deviation.unit_id,
                patient_hash=deviation.patient_hash,
                action="view",
            )


def _load(*, municipality: Municipality, today: date) -> int:
    categories = ensure_categories(municipality)
    units = list(
        Unit.objects.filter(
            municipality=municipality, board__code__in=("hagersten-liljeholmen", "skarholmen", "alvsjo")
        )
        .select_related("board")
        .order_by("code")
    )
    if not units:
        return 0
    ekbacken = next((u for u in units if u.code == "hage-01"), units[0])
    contracted = next((u for u in units if u.code == "hage-02"), units[-1])
    User = get_user_model()
    rapportor = User.objects.filter(username="rapportor").first()
    enhetschef = User.objects.filter(username="enhetschef").first()
    existing = set(
        Deviation.objects.filter(municipality=municipality, reference__contains="-9").values_list(
            "reference", flat=True
        )
    )
    state_pool = [s for s, w in STATES for _ in range(w)]
    created = 0
    last_year_start = date(today.year - 1, 1, 1)
    for i in range(COUNT + DRAFTS + LAST_YEAR):
        # One generator per row: the same draws whether or not earlier rows already exist.
        rng = random.Random(202604 * 1000 + i)
        last_year = i >= COUNT + DRAFTS
        unit = ekbacken if i % 2 == 0 else (contracted if i % 5 == 1 else rng.choice(units))
        days_ago = rng.randint(1, 425)
        category_code = rng.choice(list(categories))
        consequence, probability = rng.choice((1, 1, 2, 2, 2, 3, 3, 4)), rng.choice((1, 2, 2, 3, 3, 4))
        state = DeviationState.DRAFT if COUNT <= i < COUNT + DRAFTS else rng.choice(state_pool)
        with_patient = rng.random() < 0.12
        pnr = fictitious_personnummer(rng)
        overdue = rng.random() < 0.35
        description = rng.choice(DESCRIPTIONS[category_code])
        hour, minute = rng.randint(0, 23), rng.choice((5, 20, 35, 50))
        if state == DeviationState.DRAFT:
            days_ago = rng.randint(1, 3)
        occurred_day = today - timedelta(days=days_ago)
        if last_year:
            unit = ekbacken if i % 4 else rng.choice(units)
            occurred_day = last_year_start + timedelta(days=rng.randint(0, 360))
            state = DeviationState.REJECTED if i % 10 == 7 else DeviationState.CLOSED
            overdue = False
        reported_year = (occurred_day + timedelta(days=1)).year
        reference = "" if state == DeviationState.DRAFT else f"AV-{reported_year}-{SERIES_START + i:06d}"
        if state == DeviationState.DRAFT:
            if Deviation.objects.filter(
                reporter=rapportor,
                state=DeviationState.DRAFT,
                description=description,
                occurred_at=_at(occurred_day, hour, minute),
            ).exists():
                continue
        elif reference in existing:
            continue
        occurred = _at(occurred_day, hour, minute)
        if occurred > timezone.now():
            occurred = timezone.now() - timedelta(hours=2)
        discovered = occurred + timedelta(minutes=rng.choice((0, 10, 45, 180)))
        reported = min(discovered + timedelta(hours=rng.choice((1, 3, 20))), timezone.now())
        reporter = rapportor if unit.pk == ekbacken.pk else None
        deviation = Deviation(
            municipality=municipality,
            reference=reference,
            unit=unit,
            state=DeviationState.DRAFT,
            occurred_at=occurred,
            discovered_at=discovered,
            reporter=reporter,
            reported_on_behalf_of="" if reporter else "Undersköterska, dagpersonal",
            category=categories[category_code],
            event_kind=EventKind.RISK if i % 7 == 3 else EventKind.OCCURRED,
            description=description,
            immediate_actions="Sjuksköterska tillkallades och bedömde läget.",
            consequence=consequence,
            probability=probability,
            risk_score=consequence * probability,
        )
        if with_patient or i in (0, 2, 4):
            deviation.patient_identifier_encrypted = patient.encrypt_identifier(pnr)
            deviation.patient_hash = patient.patient_hash(pnr)
        if state == DeviationState.DRAFT:
            deviation.reporter = rapportor
            deviation.save()
            created += 1
            continue
        deviation.reported_at = reported
        deviation.save()
        route = routing.route(deviation=deviation)
        routing.store_routing(deviation=deviation, route=route)
        routing.store_unit_managers(deviation=deviation, route=route)
        _walk(
            deviation,
            state=state,
            reported=reported,
            today=today,
            overdue=overdue,
            municipality=municipality,
            manager=enhetschef if unit.pk == ekbacken.pk else None,
            rng=rng,
        )
        created += 1
    return created


def _walk(
    deviation: Deviation,
    *,
    state: str,
    reported: datetime,
    today: date,
    overdue: bool,
    municipality: Municipality,
    manager,
    rng: random.Random,
) -> None:
    """Fill the history up to ``state`` with plausible dates; leave some deadlines passed."""
    order = [
        DeviationState.REGISTERED,
        DeviationState.INVESTIGATING,
        DeviationState.AWAITING_MAS,
        DeviationState.ACTIONS,
        DeviationState.CLOSED,
    ]
    reporter = deviation.reporter
    assessor = deviation.mas_person.user if deviation.mas_person_id and deviation.mas_person.user_id else None
    steps = [(DeviationState.DRAFT, DeviationState.REGISTERED, reported, reporter, "Skicka")]
    now = timezone.now()
    at = reported
    if state == DeviationState.REJECTED:
        at = min(at + timedelta(days=2), now)
        steps.append((DeviationState.REGISTERED, DeviationState.REJECTED, at, manager, "Inte en avvikelse."))
        deviation.rejection_reason = "Händelsen gäller inte hälso- och sjukvård; hanteras som Lex Sarah-fråga."
        deviation.closed_at = at
    else:
        target = order.index(state)
        previous = DeviationState.REGISTERED
        for next_state in order[1 : target + 1]:
            at = min(at + timedelta(days=rng.randint(1, 6)), now)
            actor = assessor if previous == DeviationState.AWAITING_MAS else manager
            if next_state == DeviationState.ACTIONS and previous == DeviationState.INVESTIGATING:
                # High risk goes through MAS: keep the table's path.
                pass
            steps.append((previous, next_state, at, actor, ""))
            previous = next_state
        if target >= 1:
            deviation.investigator = manager
            deviation.cause_analysis = "Rutinen var känd men följdes inte under hög arbetsbelastning."
        if target >= 3:
            deviation.assessor = assessor
            deviation.assessed_at = steps[3][2]
            deviation.assessment = "Händelsen har bedömts utifrån risk och konsekvens."
            deviation.lex_maria_decision = False
            deviation.lex_maria_motivation = "Ingen allvarlig vårdskada eller risk för sådan."
        if target >= 4:
            deviation.lessons_learned = "Överrapporteringen sker nu med checklista."
            deviation.feedback_to_reporter = "Tack för din rapport. Enheten har infört checklista vid överrapportering."
            deviation.closed_at = at
    deviation.state = state
    deviation.version = len(steps)
    if state in (DeviationState.REGISTERED, DeviationState.INVESTIGATING):
        due = reported + timedelta(days=municipality.investigation_days)
    elif state == DeviationState.AWAITING_MAS:
        due = at + timedelta(days=5)
    elif state == DeviationState.ACTIONS:
        due = at + timedelta(days=30)
    else:
        due = None
    if due is not None:
        # A few are overdue; the rest fall due from today on.
        due = (
            now - timedelta(days=rng.randint(1, 20)) if overdue else max(due, now + timedelta(days=rng.randint(1, 20)))
        )
    deviation.due_at = due
    deviation.save()
    for from_state, to_state, when, actor, reason in steps:
        transition = DeviationTransition.objects.create(
            deviation=deviation, from_state=from_state, to_state=to_state, actor=actor, reason=reason
        )
        DeviationTransition.objects.filter(pk=transition.pk).update(at=when)
    if state in (DeviationState.ACTIONS, DeviationState.CLOSED) and deviation.unit.code == "hage-01":
        owner = Assignment.objects.filter(unit=deviation.unit, role=Role.UNIT_MANAGER).select_related("person").first()
        if owner is not None:
            DeviationAction.objects.create(
                deviation=deviation,
                description="Gå igenom rutinen på nästa arbetsplatsträff.",
                owner=owner.person,
                deadline=timezone.localdate(due) if due else timezone.localdate(at) + timedelta(days=14),
                done_at=timezone.localdate(at) if state == DeviationState.CLOSED else None,
            )


def backfill_routing(*, municipality: Municipality) -> int:
    """Resolve the MAS/MAR and information copy of submitted deviations that have none yet (e.g. demo Lex Maria)."""
    done = 0
    for deviation in (
        Deviation.objects.filter(municipality=municipality, mas_role="")
        .exclude(state=DeviationState.DRAFT)
        .select_related("municipality", "category")
    ):
        route = routing.route(deviation=deviation)
        routing.store_routing(deviation=deviation, route=route)
        deviation.save(update_fields=["mas_person", "mas_role", "board_mas_copy", "operations_manager", "routed_at"])
        routing.store_unit_managers(deviation=deviation, route=route)
        done += 1
    return done
