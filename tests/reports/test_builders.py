"""Each report's figures on the demo municipality equal an independent count, and its PDF says so without patients."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from followup.choices import ACTION_UNFINISHED_STATES, FollowUpState
from followup.models import Action, Finding, FollowUp
from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationState
from reports.builders import build_report
from reports.builders.common import period_bounds, previous_period
from reports.builders.deviations import deviation_figures
from reports.builders.followup import followup_figures
from reports.builders.lex_maria import lex_maria_figures
from reports.builders.responsibility import responsibility_figures
from reports.narratives import narrative_save
from reports.scopes import parse_scope
from reports.services import ReportInputError, check_params, render_pdf
from responsibility.choices import OperatingForm, Role
from responsibility.models import Board, CareProvider, Unit, UnitOperatingPeriod
from responsibility.resolver import responsible_for
from tests.factories import at
from tests.reports.conftest import assert_no_patient_identity, pdf_text

BOARD = "board:hagersten-liljeholmen"
REGION = "region:vastra-soderort"


def _independent_deviations(board_code: str, start: date, end: date):
    lo, hi = period_bounds(start, end)
    return Deviation.objects.filter(unit__board__code=board_code, occurred_at__gte=lo, occurred_at__lt=hi).exclude(
        state=DeviationState.DRAFT
    )


@pytest.mark.django_db
def test_deviation_figures_equal_independent_counts(seeded, period):
    """Totals, categories, units, states, risk and overdue equal plain ORM counts for the board and period."""
    start, end = period
    now = timezone.now()
    figures = deviation_figures(scope=parse_scope(BOARD), period_from=start, period_to=end, now=now)
    expected = _independent_deviations("hagersten-liljeholmen", start, end)
    assert figures["total"] == expected.count() >= 5
    assert {r["category__name"]: r["n"] for r in figures["by_category"]} == dict(
        Counter(expected.values_list("category__name", flat=True))
    )
    assert {r["unit__name"]: r["n"] for r in figures["by_unit"]} == dict(
        Counter(expected.values_list("unit__name", flat=True))
    )
    assert figures["by_state"] == dict(Counter(expected.values_list("state", flat=True)))
    assert (
        figures["overdue_total"]
        == expected.filter(state__in=["registered", "investigating", "awaiting_mas_assessment"], due_at__lt=now).count()
        >= 2
    )
    scores = list(expected.values_list("risk_score", flat=True))
    assert sum(figures["by_score"].values()) == len(scores)
    assert figures["by_score"].get(12, 0) == scores.count(12)
    prev_lo, prev_hi = previous_period(start, end)
    assert figures["previous"]["total"] == _independent_deviations("hagersten-liljeholmen", prev_lo, prev_hi).count()
    ly = _independent_deviations(
        "hagersten-liljeholmen", start.replace(year=start.year - 1), end.replace(year=end.year - 1)
    )
    assert figures["last_year"]["total"] == ly.count()
    # The draft of the seeded period is not counted anywhere.
    assert Deviation.objects.filter(pk=seeded["deviations"][-1].pk, state=DeviationState.DRAFT).exists()


@pytest.mark.parametrize(
    ("period_from", "period_to", "expected"),
    [
        # A year compares with the whole year before, 1 January and the leap day included.
        (date(2025, 1, 1), date(2025, 12, 31), (date(2024, 1, 1), date(2024, 12, 31))),
        (date(2024, 1, 1), date(2024, 12, 31), (date(2023, 1, 1), date(2023, 12, 31))),
        # A quarter with the quarter before, whatever the months' lengths.
        (date(2025, 4, 1), date(2025, 6, 30), (date(2025, 1, 1), date(2025, 3, 31))),
        (date(2025, 1, 1), date(2025, 3, 31), (date(2024, 10, 1), date(2024, 12, 31))),
        (date(2024, 3, 1), date(2024, 3, 31), (date(2024, 2, 1), date(2024, 2, 29))),
        # Any other period: the same number of days just before.
        (date(2025, 3, 10), date(2025, 3, 19), (date(2025, 2, 28), date(2025, 3, 9))),
    ],
)
def test_previous_period_is_the_whole_months_before_or_the_same_days_before(period_from, period_to, expected):
    assert previous_period(period_from, period_to) == expected


@pytest.mark.django_db
def test_deviation_figures_by_provider_scope_follow_the_operating_provider(seeded, period):
    """A contractor's report counts the deviations of the units it operated."""
    start, end = period
    unit = seeded["contracted"]
    provider = unit.provider
    scope = parse_scope(f"provider:{provider.org_number}")
    figures = deviation_figures(scope=scope, period_from=start, period_to=end, now=timezone.now())
    lo, hi = period_bounds(start, end)
    expected = (
        Deviation.objects.filter(unit__provider=provider, occurred_at__gte=lo, occurred_at__lt=hi)
        .exclude(state="draft")
        .count()
    )
    assert figures["total"] == expected >= 2
    assert [r["name"] for r in figures["by_provider"]] == [provider.name]


def _operating_provider(deviation: Deviation) -> int | None:
    """The rule, one deviation at a time: the operating period in force on the event day with the latest start,
    else the unit's current provider."""
    day = timezone.localdate(deviation.occurred_at)
    period = (
        UnitOperatingPeriod.objects.filter(unit_id=deviation.unit_id, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return period.provider_id if period is not None else deviation.unit.provider_id


@pytest.mark.django_db
def test_provider_scope_counts_the_days_each_provider_operated_the_unit(seeded, period):
    """A re-procured unit counts for the old provider up to its last day (local time), then for the new one; on
    days without an operating period the unit's current provider counts; drafts never count."""
    from tests.reports.seed import deviation

    start, end = period
    unit = Unit.objects.select_related("municipality").get(code="hage-03")
    old, new = unit.provider, Unit.objects.get(code="hage-04").provider
    UnitOperatingPeriod.objects.filter(unit=unit).update(valid_to=start + timedelta(days=29))
    UnitOperatingPeriod.objects.create(
        unit=unit, valid_from=start + timedelta(days=45), provider=new, operating_form=OperatingForm.CONTRACT
    )
    Unit.objects.filter(pk=unit.pk).update(provider=new)
    unit.refresh_from_db()
    made = [
        deviation(unit=unit, day=start + timedelta(days=10)),
        deviation(unit=unit, day=start + timedelta(days=29)),
        deviation(unit=unit, day=start + timedelta(days=35)),
        deviation(unit=unit, day=start + timedelta(days=50)),
        deviation(unit=unit, day=start + timedelta(days=12), state=DeviationState.DRAFT),
    ]
    late = start + timedelta(days=29)
    Deviation.objects.filter(pk=made[1].pk).update(
        occurred_at=at(late, 23, 30), discovered_at=at(late, 23, 40), reported_at=at(late, 23, 50)
    )
    Deviation.objects.filter(pk=made[2].pk).update(occurred_at=at(start + timedelta(days=30), 0, 30))
    lo, hi = period_bounds(start, end)
    reported = list(
        Deviation.objects.filter(municipality=unit.municipality, occurred_at__gte=lo, occurred_at__lt=hi)
        .exclude(state=DeviationState.DRAFT)
        .select_related("unit")
    )
    for provider, own in ((old, made[:2]), (new, made[2:4])):
        figures = deviation_figures(
            scope=parse_scope(f"provider:{provider.org_number}"), period_from=start, period_to=end, now=timezone.now()
        )
        expected = [d for d in reported if _operating_provider(d) == provider.pk]
        assert {d.pk for d in own} <= {d.pk for d in expected}
        assert figures["total"] == len(expected)
        assert [r["name"] for r in figures["by_provider"]] == [provider.name]


@pytest.mark.django_db
def test_deviation_figures_take_a_constant_number_of_queries(seeded, period, django_assert_num_queries):
    """The deviation figures are a fixed set of aggregate queries, however many deviations there are."""
    scope = parse_scope(BOARD)
    with django_assert_num_queries(10):
        deviation_figures(scope=scope, period_from=period[0], period_to=period[1], now=timezone.now())


@pytest.mark.django_db
def test_deviation_pdf_has_headings_figures_and_no_patient(seeded, period):
    """The PDF states scope, period and producer, the total and categories, and no personnummer."""
    params = check_params(user=None, kind="deviations", scope_token=BOARD, period_from=period[0], period_to=period[1])
    data = build_report(params=params, produced_by="Olof Sjöberg")
    total = next(f.value for f in data.sections[0].figures)
    text = pdf_text(render_pdf(data=data))
    for expected in (
        "Avvikelserapport",
        "Hägersten-Liljeholmens stadsdelsnämnd",
        "Olof Sjöberg",
        "Per kategori",
        "Försenade utredningar",
        f"{period[0]:%Y-%m-%d} – {period[1]:%Y-%m-%d}",
        "Sida 1 av",
    ):
        assert expected in text, expected
    assert f"Rapporterade avvikelser: {total}" in text
    assert "Läkemedel" in text
    assert "Trycksår" in text
    assert_no_patient_identity(text)


@pytest.mark.django_db
def test_lex_maria_lists_each_case_with_days_to_ivo_and_no_patient(seeded, period):
    """Every case decided in the period is listed; days from event to IVO; free text is scrubbed of personnummer."""
    start, end = period
    figures = lex_maria_figures(scope=parse_scope(BOARD), period_from=start, period_to=end, now=timezone.now())
    lo, hi = period_bounds(start, end)
    expected = LexMariaCase.objects.filter(
        deviation__unit__board__code="hagersten-liljeholmen", decided_at__gte=lo, decided_at__lt=hi
    )
    assert figures["total"] == expected.count() >= 1
    assert figures["reported"] == expected.filter(ivo_sent_at__isnull=False).count()
    case = next(c for c in figures["cases"] if c["reference"] == seeded["case"].reference)
    assert case["days_to_ivo"] == 12
    params = check_params(user=None, kind="lex_maria", scope_token=BOARD, period_from=start, period_to=end)
    text = pdf_text(render_pdf(data=build_report(params=params, produced_by="MAS")))
    assert "Lex Maria-sammanställning" in text
    assert seeded["case"].reference in text
    assert "IVO avslutar ärendet" in text
    assert_no_patient_identity(text)


@pytest.mark.django_db
def test_followup_figures_equal_independent_counts():
    """Planned and performed follow-ups, findings and overdue actions per contract equal plain counts."""
    today = timezone.localdate()
    start, end = today - timedelta(days=400), today + timedelta(days=60)
    board = Board.objects.get(code="hagersten-liljeholmen")
    figures = followup_figures(scope=parse_scope(BOARD), period_from=start, period_to=end, now=timezone.now())
    in_scope = [
        f
        for f in FollowUp.objects.select_related("unit", "contract")
        .filter(scheduled_date__range=(start, end))
        .exclude(state=FollowUpState.CANCELLED)
        if f.board_id == board.pk
        or (f.unit and f.unit.board_id == board.pk)
        or (f.contract and f.contract.purchasing_board_id == board.pk)
    ]
    assert in_scope, "the follow-up demo has follow-ups for the board"
    assert figures["planned"] == len(in_scope)
    assert figures["performed"] == sum(1 for f in in_scope if f.state == FollowUpState.COMPLETED)
    ids = [f.pk for f in in_scope]
    assert figures["findings"] == Finding.objects.filter(follow_up_id__in=ids).count()
    assert figures["actions"] == Action.objects.filter(finding__follow_up_id__in=ids).count()
    assert (
        figures["overdue_total"]
        == Action.objects.filter(
            finding__follow_up_id__in=ids, state__in=ACTION_UNFINISHED_STATES, deadline__lt=today
        ).count()
    )
    per_contract = Counter((f.contract_id or (f.unit.contract_id if f.unit else None)) for f in in_scope)
    assert sorted(r["planned"] for r in figures["contracts"]) == sorted(per_contract.values())
    params = check_params(user=None, kind="followup", scope_token=BOARD, period_from=start, period_to=end)
    text = pdf_text(render_pdf(data=build_report(params=params, produced_by="MAS")))
    assert "Avtalsuppföljningsrapport" in text
    assert f"Planerade uppföljningar under perioden: {figures['planned']}" in text
    assert_no_patient_identity(text)


@pytest.mark.django_db
def test_responsibility_register_matches_the_resolver_and_checks():
    """Every active unit of the region is listed with the holders the resolver gives; the findings are R1–R10's."""
    from responsibility.checks import run_checks

    on = timezone.localdate()
    figures = responsibility_figures(scope=parse_scope("region:vastra-soderort"), on=on)
    units = Unit.objects.filter(board__region__code="vastra-soderort", active_from__lte=on).filter(
        Q(active_to__isnull=True) | Q(active_to__gte=on)
    )
    assert len(figures["units"]) == units.count() > 0
    ekbacken = next(r for r in figures["units"] if r["unit"].code == "hage-01")
    resolution = responsible_for(unit=Unit.objects.get(code="hage-01"), role=Role.MAS, on=on)
    assert ekbacken["holders"][Role.MAS] == resolution.holder.full_name
    expected = run_checks(units=Unit.objects.filter(pk__in=units).select_related("board", "municipality"), on=on)
    assert sorted((f.code, f.unit.code) for f in figures["findings"]) == sorted((f.code, f.unit.code) for f in expected)
    params = check_params(user=None, kind="responsibility", scope_token=REGION, on=on)
    text = pdf_text(render_pdf(data=build_report(params=params, produced_by="MAS")))
    assert "Ansvarsfördelning" in text
    assert "Ekbacken" in text
    assert resolution.holder.last_name in text
    if expected:
        assert expected[0].code in text


@pytest.mark.django_db
def test_patient_safety_report_has_narrative_and_figures(seeded, period, demo_user):
    """The patient safety report prints the saved sections and the year's figures, as a draft until adopted."""
    year = period[0].year
    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    narrative_save(
        user=demo_user("mas"),
        provider=provider,
        year=year,
        version=0,
        texts={
            "goals_and_strategies": "Ingen ska drabbas av vårdskada.",
            "complaints": "Tre klagomål inkom och besvarades.",
        },
    )
    params = check_params(user=None, kind="patient_safety", scope_token=BOARD, year=year)
    data = build_report(params=params, produced_by="MAS")
    text = pdf_text(render_pdf(data=data))
    lo, hi = period_bounds(date(year, 1, 1), date(year, 12, 31))
    total = (
        Deviation.objects.filter(unit__provider=provider, occurred_at__gte=lo, occurred_at__lt=hi)
        .exclude(state="draft")
        .count()
    )
    assert "Patientsäkerhetsberättelse" in text
    assert "Ingen ska drabbas av vårdskada." in text
    assert "Tre klagomål inkom" in text
    assert "Utkast, ännu inte fastställd av nämnden." in text
    assert f"Rapporterade avvikelser: {total}" in text
    assert_no_patient_identity(text)


@pytest.mark.django_db
def test_year_with_no_data_and_future_year_get_clear_messages():
    """A year without any events or text, and a year not yet begun, are refused with Swedish messages."""
    with pytest.raises(ReportInputError) as no_data:
        check_params(user=None, kind="patient_safety", scope_token=BOARD, year=2001)
    assert "Det finns inga uppgifter" in no_data.value.message_dict["year"][0]
    with pytest.raises(ReportInputError) as future:
        check_params(user=None, kind="patient_safety", scope_token=BOARD, year=timezone.localdate().year + 1)
    assert "Välj ett år mellan" in future.value.message_dict["year"][0]


@pytest.mark.django_db
def test_period_end_before_start_is_refused():
    """A period that ends before it starts gets a clear message on the end date."""
    with pytest.raises(ReportInputError) as exc:
        check_params(
            user=None, kind="deviations", scope_token=BOARD, period_from=date(2026, 3, 1), period_to=date(2026, 2, 1)
        )
    assert exc.value.message_dict["period_to"] == ["Periodens slut kan inte vara före dess början."]


@pytest.mark.django_db
def test_empty_period_gives_a_valid_report_saying_so():
    """A period without events yields a complete PDF that says there were none."""
    params = check_params(
        user=None, kind="deviations", scope_token=BOARD, period_from=date(2001, 1, 1), period_to=date(2001, 3, 31)
    )
    data = build_report(params=params, produced_by="MAS")
    assert data.is_empty
    text = pdf_text(render_pdf(data=data))
    assert "Inga avvikelser rapporterades under perioden." in text
    assert "Rapporterade avvikelser: 0" in text
