"""Issue 15: contracts that cannot contradict themselves (R11), no guessed route (R12, the ownership guard),
one R10, and the vårdgivare wording (SPEC §3, §5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.scheduling import run_scheduled_jobs
from followup.forms import ContractForm
from followup.models import Reminder
from incidents.lexmaria.routing import resolve_chain
from responsibility import checks
from responsibility.checks import run_checks
from responsibility.choices import ContractKind, LexMariaRoute, MasHeldBy, Role
from responsibility.models import (
    Assignment,
    Contract,
    RuleDefinition,
    Unit,
    UnitOperatingPeriod,
    route_agrees,
)
from responsibility.resolver import board_duty_holder, responsible_for, units_with_board
from tests.incidents.lexmaria_factories import deviation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _contract(**fields) -> Contract:
    unit = Unit.objects.get(code="hage-02")
    base = {
        "municipality_id": unit.municipality_id,
        "title": "Avtal",
        "provider_id": unit.provider_id,
        "managing_board_id": unit.board_id,
        "purchasing_board_id": unit.board_id,
        "case_number": "SLK 2026/9999",
        "valid_from": date(2024, 1, 1),
    }
    return Contract(**{**base, **fields})


def test_the_form_refuses_a_contract_that_contradicts_itself():
    """The UI's ramavtal with mas_held_by=board and the contractor route is refused, field by field, in Swedish."""
    unit = Unit.objects.select_related("provider", "board").get(code="hage-02")
    data = {
        "kind": ContractKind.FRAMEWORK,
        "title": "Ramavtal",
        "provider": unit.provider_id,
        "managing_board": unit.board_id,
        "purchasing_board": unit.board_id,
        "case_number": "SLK 2026/1",
        "valid_from": "2026-01-01",
        "mas_held_by": MasHeldBy.BOARD,
        "lex_maria_route": LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS,
    }
    new = lambda: Contract(municipality=unit.municipality)  # noqa: E731 - a form is bound to one municipality
    form = ContractForm(data=data, instance=new())
    assert not form.is_valid()
    assert form.errors["mas_held_by"] == [
        "En privat utförare under ramavtal eller LOV är själv vårdgivare och har själv MAS-ansvaret."
    ]
    form = ContractForm(data={**data, "mas_held_by": MasHeldBy.CONTRACTOR}, instance=new())
    assert not form.is_valid()
    assert form.errors["lex_maria_route"][0].startswith(
        "Med den här avtalstypen och detta MAS-ansvar måste Lex Maria-vägen vara ”Privat vårdgivare"
    )
    assert ContractForm(
        data={**data, "mas_held_by": MasHeldBy.CONTRACTOR, "lex_maria_route": LexMariaRoute.PROVIDER_MAS},
        instance=new(),
    ).is_valid()


def test_existing_contradictions_load_and_are_reported_by_r11():
    """The demo's contradictory ramavtal (saved before the rule) loads, and R11 reports it as an error."""
    contract = Contract.objects.get(case_number="SLK 2023/0981")
    assert contract.predates_route_rule
    assert not contract.route_agrees
    found = run_checks(
        units=units_with_board(Unit.objects.filter(code="span-91")).select_related("municipality"),
        on=TODAY(),
        codes=["R11"],
    )
    assert [(f.code, f.severity) for f in found] == [("R11", "error")]
    assert "aldrig till nämndens MAS" in found[0].message


def test_r12_reports_a_unit_run_by_another_provider_without_a_contract_in_force():
    """Fristad's contract ended 2026-03-31: R12 from the next day, not the day before."""
    units = units_with_board(Unit.objects.filter(code="span-92")).select_related("municipality")
    assert [f.code for f in run_checks(units=units, on=date(2026, 3, 31), codes=["R12"])] == []
    found = run_checks(units=units, on=date(2026, 4, 1), codes=["R12"])
    assert [(f.code, f.severity) for f in found] == [("R12", "error")]
    assert "drivs av annan vårdgivare utan avtal i kraft" in found[0].message
    # The MAS is not guessed from the board either.
    assert responsible_for(unit=units.get(), role=Role.MAS, on=date(2026, 4, 1)).holder is None


KINDS = st.sampled_from(ContractKind.values)
HELD = st.sampled_from(MasHeldBy.values)
ROUTES = st.sampled_from(LexMariaRoute.values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=KINDS, held=HELD, route=ROUTES)
def test_ownership_guard_over_every_contract_type_mas_duty_and_route(kind, held, route):
    """For every kind × mas_held_by × route: the model and the database accept exactly the combinations of the
    SPEC §5 table; and whatever a contract says (even an old contradictory one), the board's MAS is the
    reporter of a contractor's event only under an entreprenad where the board kept the MAS duty."""
    agrees = route_agrees(kind=kind, mas_held_by=held, route=route)
    contract = _contract(kind=kind, mas_held_by=held, lex_maria_route=route)
    try:
        contract.full_clean()
        validated = True
    except Exception:  # noqa: BLE001 - ValidationError is the expected refusal
        validated = False
    assert validated is agrees
    with transaction.atomic():
        try:
            with transaction.atomic():
                contract.save()
            saved = True
        except IntegrityError:
            saved = False
        assert saved is agrees
        if not saved:
            contract.predates_route_rule = True  # as an older portal saved it
            contract.save()
        unit = Unit.objects.get(code="hage-02")
        UnitOperatingPeriod.objects.filter(unit=unit).update(contract=contract)
        Unit.objects.filter(pk=unit.pk).update(contract=contract)
        chain = resolve_chain(deviation=deviation(unit=unit))
        board_mas = board_duty_holder(board=unit.board, role=Role.MAS, on=TODAY()).holder
        board_reports = agrees and kind == ContractKind.CONTRACT and held == MasHeldBy.BOARD
        assert (chain.reporter == board_mas) is board_reports
        if not board_reports:
            assert (
                chain.reporter is None
                or Assignment.objects.filter(person=chain.reporter, provider=unit.provider).exists()
            )
        transaction.set_rollback(True)


def test_private_providers_are_vardgivare_never_entreprenor():
    """Every explanation about a private provider's unit says vårdgivare; the route names follow SPEC §5."""
    private = units_with_board(Unit.objects.filter(provider__kind="private")).select_related("municipality")
    for unit in private:
        for role in (Role.MAS, Role.MAR, Role.LEX_MARIA_REPORTER):
            assert "entreprenör" not in responsible_for(unit=unit, role=role, on=TODAY()).reason.lower()
    for finding in run_checks(units=private, on=TODAY()):
        if finding.code == "R11":
            continue  # quotes the contradictory contract's own (entreprenad) route, which is the point
        assert "entreprenör" not in finding.message.lower(), finding.message
    from django.utils import translation

    with translation.override("sv"):
        assert [str(label) for label in LexMariaRoute.labels] == [
            "Egen regi: nämndens MAS anmäler, nämnden informeras",
            "Entreprenad, entreprenören har MAS-ansvaret: entreprenörens MAS anmäler; nämnderna informeras via "
            "nämndens MAS",
            "Entreprenad, nämnden har kvar MAS-ansvaret: nämndens MAS anmäler; nämnden informeras",
            "Privat vårdgivare, platsköp under ramavtal/LOV: vårdgivarens MAS anmäler; berörd nämnd informeras",
        ]
        assert str(MasHeldBy.CONTRACTOR.label) == "vårdgivaren"


# --- 9. one R10 --------------------------------------------------------------------------------


def _trygga_hander_vc() -> Assignment:
    return Assignment.objects.select_related("person__user", "provider").get(
        role=Role.OPERATIONS_MANAGER, provider__name="Trygga Händer Omsorg AB", valid_to__isnull=False
    )


def _r10_units():
    return units_with_board(Unit.objects.filter(provider__name="Trygga Händer Omsorg AB")).select_related(
        "municipality"
    )


def test_r10_successor_after_a_gap_is_no_successor_for_the_check_and_the_reminder_job():
    """A successor who starts a week after the end leaves a gap: the check flags it and the job reminds."""
    held = _trygga_hander_vc()
    Assignment.objects.create(
        person=held.person,
        role=Role.OPERATIONS_MANAGER,
        provider=held.provider,
        valid_from=held.valid_to + timedelta(days=7),
    )
    assert any(f.code == "R10" for f in run_checks(units=_r10_units(), on=TODAY(), codes=["R10"]))
    assert held in checks.assignments_without_successor(municipality=held.provider.municipality, on=TODAY())
    run_scheduled_jobs(on=TODAY(), only="assignments_without_successor")
    assert Reminder.objects.filter(object_id=held.pk, kind="assignment_no_successor").exists()


def test_r10_days_are_the_same_for_the_check_and_the_reminder_job():
    """With the rule row's 10 days, an assignment ending in 20 days is neither flagged nor reminded."""
    RuleDefinition.objects.filter(code="R10").update(params={"days": 10})
    held = _trygga_hander_vc()
    assert (held.valid_to - TODAY()).days == 20
    assert not any(f.code == "R10" for f in run_checks(units=_r10_units(), on=TODAY(), codes=["R10"]))
    run_scheduled_jobs(on=TODAY(), only="assignments_without_successor")
    assert not Reminder.objects.filter(object_id=held.pk, kind="assignment_no_successor").exists()


def test_r10_for_every_municipality_at_once_keeps_each_ones_days_and_people():
    """The reminder job asks R10 for all municipalities at once: a successor must be one of the same
    municipality's people, and each municipality's own days apply (the rule row without days of its own)."""
    from tests.factories import MunicipalityFactory, PersonFactory

    RuleDefinition.objects.filter(code="R10").update(params={})
    held = _trygga_hander_vc()  # ends in 20 days, nobody takes over
    home = held.person.municipality
    home.successor_warning_days = 30
    home.save(update_fields=["successor_warning_days"])
    other = MunicipalityFactory(successor_warning_days=10)
    stranger = Assignment.objects.create(
        person=PersonFactory(municipality=other),
        role=Role.OPERATIONS_MANAGER,
        provider=held.provider,
        valid_from=held.valid_to + timedelta(days=1),
    )
    assert held in checks.assignments_without_successor_in(municipalities=[home, other], on=TODAY())
    assert checks.assignments_without_successor_in(municipalities=[home, other], on=TODAY()) == [
        a
        for m in (home, other)
        for a in checks.assignments_without_successor(municipality=m, on=TODAY())
        if a.person.municipality_id == m.pk
    ]
    stranger.delete()
    held.person.municipality = other
    held.person.save(update_fields=["municipality"])
    assert held not in checks.assignments_without_successor_in(municipalities=[home, other], on=TODAY())
    ten_days_before = held.valid_to - timedelta(days=10)
    assert held in checks.assignments_without_successor_in(municipalities=[home, other], on=ten_days_before)
