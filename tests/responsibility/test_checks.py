"""The checks R1–R12 (SPEC §3): each on the demo, the dated rule set, the 2026-07-01 MAR boundary,
constant queries, and a property test of the resolver against R7."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from responsibility.checks import run_checks
from responsibility.choices import AssignmentKind, MasHeldBy, Profession, Role, Scope, Severity
from responsibility.models import Assignment, Municipality, RuleDefinition, Unit
from responsibility.resolver import build_index, units_with_board
from tests.factories import Org

pytestmark = pytest.mark.django_db


def demo_units(**filters):
    return units_with_board(Unit.objects.filter(**filters)).select_related("municipality").order_by("code")


def demo_findings(on: date | None = None, **filters):
    with override("sv"):
        return run_checks(units=demo_units(**filters), on=on or timezone.localdate())


def codes_by_provider(findings) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for f in findings:
        result.setdefault(f.unit.provider.name, set()).add(f.code)
    return result


def test_every_rule_has_a_real_case_in_the_demo_today():
    """The demo shows a true case of each of R1–R12 today, on the units the demo seeds them on."""
    findings = demo_findings()
    by_provider = codes_by_provider(findings)
    assert {"R1", "R6"} <= by_provider["Åkerlunda LSS AB"]
    assert {"R2", "R5"} <= by_provider["Kastanjen Äldreomsorg AB"]
    assert "R3" in by_provider["Stjärnvägen Boende AB"]
    assert "R4" in by_provider["Silverbjörken Vård AB"]
    assert "R8" in by_provider["Mälarbo Omsorg AB"]
    assert "R10" in by_provider["Trygga Händer Omsorg AB"]
    by_unit = {(f.code, f.unit.code) for f in findings}
    assert ("R7", "fars-01") in by_unit
    assert ("R9", "alvs-01") in by_unit
    assert {f.code for f in findings} == {f"R{n}" for n in range(1, 13)}
    assert all(f.legal_basis and f.message and f.fix_url for f in findings)
    assert {f.severity for f in findings if f.code in ("R8", "R9", "R10")} == {Severity.WARNING}
    assert {f.severity for f in findings if f.code not in ("R8", "R9", "R10")} == {Severity.ERROR}


def test_demo_unit_ekbacken_has_no_findings():
    """The demo logins' unit resolves cleanly, so other parts can route through it."""
    assert demo_findings(code="hage-01") == []


def test_messages_are_swedish_with_legal_basis():
    """Findings speak Swedish and cite their basis."""
    findings = {f.code: f for f in demo_findings(code__startswith="span-")}
    assert findings["R2"].message == "Ingen lagstadgad MAS är registrerad för enheten."
    assert findings["R2"].legal_basis.startswith("HSL (2017:30) 11 kap. 4 §")
    assert "vårdgivaren har MAS-ansvaret" in findings["R5"].message


def test_r7_names_both_overlapping_assignments():
    """R7 on Farsta's own unit names the two verksamhetschefer and their start dates."""
    [r7] = [f for f in demo_findings(code="fars-01") if f.code == "R7"]
    assert r7.role == Role.OPERATIONS_MANAGER
    assert "2025-01-02" in r7.message
    assert "2025-01-03" in r7.message


def test_r10_warns_within_the_configured_days_only():
    """Trygga Händer's verksamhetschef ends in 20 days: warned at 30 days, not when the rule says 10."""
    provider_units = {"provider__name": "Trygga Händer Omsorg AB"}
    assert any(f.code == "R10" for f in demo_findings(**provider_units))
    RuleDefinition.objects.filter(code="R10").update(params={"days": 10})
    assert not any(f.code == "R10" for f in demo_findings(**provider_units))


def test_r10_without_days_uses_the_municipality_setting():
    """A rule row without ``days`` falls back to Municipality.successor_warning_days."""
    RuleDefinition.objects.filter(code="R10").update(params={})
    Municipality.objects.filter(code="stockholm").update(successor_warning_days=15)
    assert not any(f.code == "R10" for f in demo_findings(provider__name="Trygga Händer Omsorg AB"))
    Municipality.objects.filter(code="stockholm").update(successor_warning_days=25)
    assert any(f.code == "R10" for f in demo_findings(provider__name="Trygga Händer Omsorg AB"))


def test_innerstaden_mar_gap_is_a_finding_only_during_the_gap():
    """The Innerstaden region has no MAR 2026-07-01..2026-08-31: R3 then, not before or after."""
    innerstaden = {"board__region__code": "innerstaden"}
    gap_units = {f.unit.code for f in demo_findings(date(2026, 7, 15), **innerstaden) if f.code == "R3"}
    before = {f.unit.code for f in demo_findings(date(2026, 6, 30), **innerstaden) if f.code == "R3"}
    after = {f.unit.code for f in demo_findings(date(2026, 9, 1), **innerstaden) if f.code == "R3"}
    assert gap_units - after, "the region gap adds R3 findings"
    assert before == set()
    assert after <= gap_units


def test_mar_is_required_from_2026_07_01(db):
    """A rehabilitation unit without MAR is fine on 2026-06-30 and an R3 gap on 2026-07-01."""
    org = Org()
    unit = org.unit(rehab=True)
    assert [f.code for f in run_checks(units=[unit], on=date(2026, 6, 30), codes=["R3"])] == []
    [finding] = run_checks(units=[unit], on=date(2026, 7, 1), codes=["R3"])
    assert (finding.code, finding.role, finding.unit) == ("R3", Role.MAR, unit)
    org.assign(org.person("Maja", profession=Profession.PHYSIOTHERAPIST), Role.MAR, org.region)
    assert run_checks(units=[unit], on=date(2026, 7, 1), codes=["R3"]) == []


def test_a_change_of_law_is_a_new_rule_row(db):
    """Ending R3 and adding a new row with another basis changes the checks without code."""
    org = Org()
    unit = org.unit(rehab=True)
    RuleDefinition.objects.filter(code="R3").update(effective_to=date(2027, 2, 14))
    RuleDefinition.objects.create(
        code="R3",
        severity=Severity.WARNING,
        effective_from=date(2027, 2, 16),
        legal_basis="Socialstyrelsens översyn 2027",
    )
    [before] = run_checks(units=[unit], on=date(2027, 2, 14), codes=["R3"])
    assert before.severity == Severity.ERROR
    assert before.legal_basis.startswith("Prop. 2025/26:19")
    assert run_checks(units=[unit], on=date(2027, 2, 15), codes=["R3"]) == []
    [after] = run_checks(units=[unit], on=date(2027, 2, 16), codes=["R3"])
    assert (after.severity, after.legal_basis) == (Severity.WARNING, "Socialstyrelsens översyn 2027")


def test_r4_flags_an_unlicensed_mas_and_a_mar_of_the_wrong_profession(db):
    """R4: a MAS not licensed, a MAR who is a nurse."""
    org = Org()
    unit = org.unit(rehab=True)
    org.assign(org.person("Olle", licensed=False), Role.MAS, org.region)
    org.assign(org.person("Nina", profession=Profession.NURSE), Role.MAR, org.region)
    found = run_checks(units=[unit], on=date(2026, 3, 1), codes=["R4"])
    assert sorted(f.role for f in found) == [Role.MAR, Role.MAS]


def test_r5_only_where_the_contract_gives_the_duty_to_the_contractor(db):
    """R5 fires for a contractor without MAS under mas_held_by=contractor, not under mas_held_by=board."""
    org = Org()
    held = org.unit("c1", contract=org.contract(mas_held_by=MasHeldBy.CONTRACTOR))
    kept = org.unit("c2", contract=org.contract(mas_held_by=MasHeldBy.BOARD))
    org.assign(org.person("Regina"), Role.MAS, org.region)
    found = run_checks(units=[held, kept], on=date(2026, 3, 1), codes=["R2", "R5"])
    assert sorted((f.code, f.unit.pk) for f in found) == [("R2", held.pk), ("R5", held.pk)]


def test_checks_run_in_the_same_number_of_queries_for_one_board_and_all_units(django_assert_num_queries):
    """run_checks is constant in the number of units: rules, periods, assignments, statutory assignments."""
    on = timezone.localdate()
    few = list(demo_units(board__code="alvsjo"))
    everything = list(demo_units())
    assert len(everything) > 5 * len(few) > 0
    for units in (few, everything):
        with django_assert_num_queries(4):
            run_checks(units=units, on=on)


# --- property: the resolver never returns two holders where R7 sees no overlap -----------

DAY0 = date(2026, 1, 1)
scopes = st.sampled_from([Scope.UNIT, Scope.PROVIDER, Scope.BOARD, Scope.REGION])
periods = st.tuples(st.integers(0, 40), st.one_of(st.none(), st.integers(0, 40)))
assignment_specs = st.lists(
    st.tuples(
        scopes,
        st.sampled_from([Role.MAS, Role.OPERATIONS_MANAGER]),
        periods,
        st.sampled_from([AssignmentKind.STATUTORY, AssignmentKind.STATUTORY, AssignmentKind.FOLLOW_UP]),
        st.booleans(),
    ),
    max_size=7,
)


@pytest.fixture
def property_org(db):
    """One small municipality for all examples of a run (rolled back after the test)."""
    org = Org()
    return org, org.unit("p1")


def _clear(org: Org) -> None:
    mine = Assignment.objects.filter(person__municipality=org.municipality)
    mine.filter(deputy_for__isnull=False).delete()
    mine.delete()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=assignment_specs, day=st.integers(0, 40))
def test_resolver_never_has_two_holders_without_an_r7_overlap(property_org, specs, day):
    """For random assignment sets (written with the ORM, bypassing services), two statutory holders
    on a date always come with an R7 finding for that unit and role."""
    org, unit = property_org
    _clear(org)
    person = org.person("Prop")
    scope_objects = {Scope.UNIT: unit, Scope.PROVIDER: org.municipal, Scope.BOARD: org.board, Scope.REGION: org.region}
    created: list[Assignment] = []
    for scope, role, (start, length), kind, as_deputy in specs:
        valid_from = DAY0 + timedelta(days=start)
        valid_to = None if length is None else valid_from + timedelta(days=length)
        deputy_for = None
        if as_deputy:
            deputy_for = next((a for a in created if a.role == role and a.scope == scope and not a.deputy_for_id), None)
        created.append(
            org.assign(
                person,
                role,
                scope_objects[scope],
                valid_from=valid_from,
                valid_to=valid_to,
                kind=kind,
                deputy_for=deputy_for,
            )
        )
    on = DAY0 + timedelta(days=day)
    index = build_index(units=[unit], on=on)
    r7_roles = {f.role for f in run_checks(units=[unit], on=on, index=index, codes=["R7"])}
    for role in (Role.MAS, Role.OPERATIONS_MANAGER):
        if len(index.resolve(unit, role).holders) > 1:
            assert role in r7_roles


def test_seeded_rule_set_matches_the_migration_and_survives_a_flush():
    """The migration seeds the same rows as DEFAULT_RULES, and load_demo restores them after a flush."""
    import importlib

    from django.core.management import call_command

    from responsibility.checks import DEFAULT_RULES

    migration = importlib.import_module("responsibility.migrations.0002_seed_rule_definitions")
    r11_r12 = importlib.import_module("responsibility.migrations.0003_municipality_settings_contract_route_rule")
    assert [(c, str(s), d, b, p) for c, s, d, b, p in DEFAULT_RULES] == migration.RULES + r11_r12.NEW_RULES
    RuleDefinition.objects.all().delete()
    call_command("load_demo", verbosity=0)
    assert RuleDefinition.objects.count() == 12
    assert RuleDefinition.objects.get(code="R3").effective_from == date(2026, 7, 1)
