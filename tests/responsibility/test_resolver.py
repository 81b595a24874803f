"""The resolver (SPEC §3): precedence, deputies, date boundaries, the contract's mas_held_by.

Each test builds a small municipality of its own (the `org` fixture: tests/factories.py `Org`), so the demo
data cannot make it pass by accident.
"""

from __future__ import annotations

from datetime import date

from responsibility.choices import (
    AssignmentKind,
    MasHeldBy,
    Profession,
    Role,
    Scope,
)
from responsibility.resolver import build_index, responsible_for

ON = date(2026, 3, 1)


def test_precedence_deputy_unit_provider_board_region(org):
    """Each level overrides the ones after it: deputy → unit → provider → board → region."""
    unit = org.unit()
    region_mas = org.assign(org.person("Regina"), Role.MAS, org.region)
    assert responsible_for(unit=unit, role=Role.MAS, on=ON).scope == Scope.REGION
    board_mas = org.assign(org.person("Bo"), Role.MAS, org.board)
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert (res.scope, res.holder) == (Scope.BOARD, board_mas.person)
    provider_mas = org.assign(org.person("Petra"), Role.MAS, org.municipal)
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert (res.scope, res.holder) == (Scope.PROVIDER, provider_mas.person)
    unit_mas = org.assign(org.person("Ulla"), Role.MAS, unit)
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert (res.scope, res.holder, res.assignment) == (Scope.UNIT, unit_mas.person, unit_mas)
    deputy = org.assign(org.person("Dora"), Role.MAS, unit, valid_from=ON, valid_to=ON, deputy_for=unit_mas)
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert (res.scope, res.holder, res.assignment, res.deputy) == (Scope.UNIT, deputy.person, deputy, deputy)
    assert res.holders == (deputy.person,)
    assert region_mas.person not in res.holders


def test_deputy_only_inside_its_period(org):
    """A deputy holds the role from valid_from through valid_to (inclusive), the holder before and after."""
    unit = org.unit()
    holder = org.assign(org.person("Hanna"), Role.MAS, org.region)
    deputy = org.assign(
        org.person("Dan"),
        Role.MAS,
        org.region,
        valid_from=date(2026, 7, 6),
        valid_to=date(2026, 8, 2),
        deputy_for=holder,
    )
    assert responsible_for(unit=unit, role=Role.MAS, on=date(2026, 7, 5)).holder == holder.person
    assert responsible_for(unit=unit, role=Role.MAS, on=date(2026, 7, 6)).holder == deputy.person
    on_last = responsible_for(unit=unit, role=Role.MAS, on=date(2026, 8, 2))
    assert on_last.holder == deputy.person
    assert on_last.as_dict()["deputy_for"] == holder.person.full_name
    assert responsible_for(unit=unit, role=Role.MAS, on=date(2026, 8, 3)).holder == holder.person


def test_valid_to_is_inclusive_and_valid_from_starts_the_day(org):
    """An assignment holds on its valid_to day and not the day after; not the day before valid_from."""
    unit = org.unit()
    region_mas = org.assign(org.person("Rut"), Role.MAS, org.region)
    unit_mas = org.assign(org.person("Ulf"), Role.MAS, unit, valid_from=date(2026, 2, 1), valid_to=date(2026, 2, 28))
    assert responsible_for(unit=unit, role=Role.MAS, on=date(2026, 1, 31)).holder == region_mas.person
    assert responsible_for(unit=unit, role=Role.MAS, on=date(2026, 2, 1)).holder == unit_mas.person
    assert responsible_for(unit=unit, role=Role.MAS, on=date(2026, 2, 28)).holder == unit_mas.person
    assert responsible_for(unit=unit, role=Role.MAS, on=date(2026, 3, 1)).holder == region_mas.person


def test_contract_gives_mas_duty_to_contractor(org):
    """mas_held_by=contractor: the contractor's MAS holds it, even when the board has one."""
    contract = org.contract(mas_held_by=MasHeldBy.CONTRACTOR)
    unit = org.unit(contract=contract)
    org.assign(org.person("Bodil"), Role.MAS, org.board)
    contractor_mas = org.assign(org.person("Cecilia"), Role.MAS, org.contractor)
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert (res.holder, res.scope, res.contract) == (contractor_mas.person, Scope.PROVIDER, contract)
    assert contract.case_number in res.reason
    assert "4.11" in res.reason
    assert res.searched == (Scope.UNIT, Scope.PROVIDER)


def test_contractor_without_mas_does_not_fall_back_to_the_board(org):
    """When the contract gives the duty to a contractor that appointed nobody, nobody holds it."""
    unit = org.unit(contract=org.contract(mas_held_by=MasHeldBy.CONTRACTOR))
    org.assign(org.person("Bodil"), Role.MAS, org.board)
    org.assign(org.person("Regina"), Role.MAS, org.region)
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert res.holder is None
    assert res.holders == ()


def test_contract_keeps_mas_duty_with_board(org):
    """mas_held_by=board: the board's (here the region's) MAS holds it, not the contractor's."""
    contract = org.contract(mas_held_by=MasHeldBy.BOARD, clause="5.2")
    unit = org.unit(contract=contract)
    org.assign(org.person("Cecilia"), Role.MAS, org.contractor)
    region_mas = org.assign(org.person("Regina"), Role.MAS, org.region)
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert (res.holder, res.scope) == (region_mas.person, Scope.REGION)
    assert res.searched == (Scope.UNIT, Scope.BOARD, Scope.REGION)
    assert res.as_dict()["contract"]["mas_held_by"] == "board"


def test_operations_manager_is_not_decided_by_the_contract(org):
    """The verksamhetschef follows the normal order (the contractor's), whatever mas_held_by says."""
    unit = org.unit(contract=org.contract(mas_held_by=MasHeldBy.BOARD))
    vc = org.assign(org.person("Vera", profession=Profession.MANAGER), Role.OPERATIONS_MANAGER, org.contractor)
    org.assign(org.person("Bo", profession=Profession.MANAGER), Role.OPERATIONS_MANAGER, org.board)
    res = responsible_for(unit=unit, role=Role.OPERATIONS_MANAGER, on=ON)
    assert (res.holder, res.scope, res.contract) == (vc.person, Scope.PROVIDER, None)


def test_follow_up_assignments_never_hold_a_statutory_role(org):
    """A MAS doing follow-up (kind follow_up) is not the statutory MAS."""
    unit = org.unit()
    org.assign(org.person("Fia"), Role.MAS, unit, kind=AssignmentKind.FOLLOW_UP)
    region_mas = org.assign(org.person("Regina"), Role.MAS, org.region)
    assert responsible_for(unit=unit, role=Role.MAS, on=ON).holder == region_mas.person


def test_two_holders_at_one_level_are_reported_not_chosen(org):
    """Overlapping statutory assignments give no single holder; both are listed."""
    unit = org.unit()
    a = org.assign(org.person("Ada"), Role.MAS, unit)
    b = org.assign(org.person("Bea"), Role.MAS, unit, valid_from=date(2025, 6, 1))
    res = responsible_for(unit=unit, role=Role.MAS, on=ON)
    assert res.holder is None
    assert res.is_ambiguous
    assert set(res.holders) == {a.person, b.person}


def test_index_resolves_many_units_in_constant_queries(org, django_assert_num_queries):
    """build_index loads periods and assignments in two queries; resolving (with reasons) queries nothing."""
    units = [org.unit(f"u{i}") for i in range(6)]
    org.assign(org.person("Regina"), Role.MAS, org.region)
    org.assign(org.person("Ulla"), Role.MAS, units[0])
    for batch in (units[:1], units):
        with django_assert_num_queries(2):
            index = build_index(units=batch, on=ON)
            reasons = [index.resolve(u, role).reason for u in batch for role in (Role.MAS, Role.MAR)]
        assert all(reasons)
