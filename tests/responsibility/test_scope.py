"""The unit scope (responsibility/scope.py) and the per-request person cache (responsibility/tenancy.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from responsibility.choices import AssignmentKind, Profession, Role
from responsibility.models import Assignment, Person, Unit
from responsibility.scope import covering_unit_q, units_in_scope_q

pytestmark = pytest.mark.django_db


def _regional_auditor(unit: Unit) -> Person:
    """A person whose only assignment covers the region of ``unit``'s board."""
    person = Person.objects.create(
        municipality=unit.municipality,
        first_name="Regina",
        last_name="Regional",
        profession=Profession.NURSE,
        licensed=True,
    )
    Assignment.objects.create(
        person=person,
        role=Role.QUALITY_AUDITOR,
        kind=AssignmentKind.FOLLOW_UP,
        region=unit.board.region,
        valid_from=date(2020, 1, 1),
    )
    return person


def _unit_in_a_region() -> Unit:
    return Unit.objects.select_related("board").filter(board__region__isnull=False).order_by("pk").first()


def test_people_for_a_unit_include_those_assigned_to_its_region():
    """Investigators and action owners of a deviation: unit, provider, board and the board's region (was: no region)."""
    from incidents.forms import people_for_unit

    unit = _unit_in_a_region()
    person = _regional_auditor(unit)

    assert person in people_for_unit(unit)


def test_covering_unit_q_names_all_four_scopes_and_nothing_else():
    unit = _unit_in_a_region()
    person = _regional_auditor(unit)

    covering = Assignment.objects.filter(covering_unit_q(unit))

    assert covering.filter(person=person).exists()
    assert covering.filter(unit=unit).exists() or covering.filter(board=unit.board_id).exists()
    assert (
        not covering.exclude(unit=unit)
        .exclude(provider=unit.provider_id)
        .exclude(board=unit.board_id)
        .exclude(region=unit.board.region_id)
        .exists()
    )


def test_units_in_scope_q_of_a_region_are_its_boards_units():
    unit = _unit_in_a_region()
    region_id = unit.board.region_id

    units = Unit.objects.filter(units_in_scope_q(region_ids={region_id}))

    assert unit in units
    assert set(units.values_list("board__region_id", flat=True)) == {region_id}
    assert not Unit.objects.filter(units_in_scope_q()).exists()


def test_person_of_reads_the_person_once_per_request(django_assert_num_queries):
    from responsibility.tenancy import forget, municipality_id_of, person_of

    user = get_user_model().objects.get(username="mas")
    with django_assert_num_queries(1):
        first = person_of(user)
        assert person_of(user) is first
        assert municipality_id_of(user) == first.municipality_id
    forget(user)
    with django_assert_num_queries(1):
        person_of(user)


def test_unit_in_scope_answers_as_units_in_scope_q_for_every_unit():
    """The in-memory scope test and the filter agree for a unit, a provider, a board and a region scope."""
    from responsibility.scope import unit_in_scope

    unit = _unit_in_a_region()
    units = list(Unit.objects.select_related("board"))
    for scope in (
        {"unit_ids": {unit.pk}},
        {"provider_ids": {unit.provider_id}},
        {"board_ids": {unit.board_id}},
        {"region_ids": {unit.board.region_id}},
        {},
    ):
        inside = set(Unit.objects.filter(units_in_scope_q(**scope)).values_list("pk", flat=True))
        assert {u.pk for u in units if unit_in_scope(u, **scope)} == inside


def test_units_a_user_may_report_for_are_answered_from_the_cached_scope(django_assert_num_queries):
    """may_report_for agrees with reportable_units for every demo login and unit, without a query per unit."""
    from incidents.permissions import may_report_for, reportable_units

    units = list(Unit.objects.select_related("board"))
    for user in get_user_model().objects.filter(person__isnull=False).order_by("pk"):
        allowed = set(reportable_units(user).values_list("pk", flat=True))
        with django_assert_num_queries(0):
            answered = {u.pk for u in units if may_report_for(user, u)}
        assert answered == allowed, user.username


def test_register_admin_is_asked_once_per_request_and_follows_a_group_grant(django_assert_num_queries):
    """A group's change_unit makes a register admin; the answer is kept for the request and dropped by forget."""
    from django.contrib.auth.models import Group, Permission

    from responsibility.permissions import is_register_admin
    from responsibility.tenancy import forget

    user = get_user_model().objects.get(username="mas")
    with django_assert_num_queries(1):
        assert not is_register_admin(user)
        assert not is_register_admin(user)
    group = Group.objects.create(name="Registeradministratörer")
    group.permissions.add(Permission.objects.get(codename="change_unit", content_type__app_label="responsibility"))
    user.groups.add(group)
    assert not is_register_admin(user)  # this request's answer
    forget(user)
    assert is_register_admin(user)
    assert is_register_admin(get_user_model().objects.get(username="admin"))
