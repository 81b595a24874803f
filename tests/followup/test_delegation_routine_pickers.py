"""Issue 13: the delegation and routine forms choose people and units with the type-ahead picker, which offers only
what the form accepts (licensed people delegate; a delegate works at the chosen unit; the request's municipality
only) and answers only who may use the form."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from followup.forms import delegates_for
from followup.selectors import delegation_units
from responsibility.choices import Profession
from responsibility.models import Municipality, Person, Unit
from tests.factories import person, unit, user

pytestmark = pytest.mark.django_db

PICKER = reverse("followup:picker_search")


def _values(client, **params) -> set[int]:
    response = client.get(PICKER, params)
    assert response.status_code == 200
    return {r["value"] for r in response.json()["results"]}


def _namesake_elsewhere(of: Person) -> Person:
    """Someone with ``of``'s name, licensed, in another municipality."""
    other = Municipality.objects.create(name="Annanstad", code="annanstad", org_number="212000-0001")
    return Person.objects.create(
        municipality=other,
        first_name=of.first_name,
        last_name=of.last_name,
        email="namne@annanstad.se",
        profession=Profession.NURSE,
        licensed=True,
    )


def test_delegator_picker_offers_licensed_people_of_the_municipality_only(client):
    """The MAS finds licensed people by name; an unlicensed person and a namesake elsewhere are never offered."""
    nurse = Person.objects.filter(municipality__code="stockholm", licensed=True).order_by("pk").first()
    foreign = _namesake_elsewhere(nurse)
    unlicensed = Person.objects.filter(municipality__code="stockholm", licensed=False).first()
    client.force_login(user("mas"))
    found = _values(client, kind="delegator", q=nurse.last_name)
    assert nurse.pk in found
    assert foreign.pk not in found
    assert set(Person.objects.filter(pk__in=found).values_list("licensed", flat=True)) == {True}
    assert unlicensed.pk not in _values(client, kind="delegator", q=unlicensed.last_name)


def test_delegate_picker_offers_people_at_the_chosen_unit(client, django_assert_num_queries):
    """With a unit chosen on the form, only people with an assignment there are offered; the unit manager of
    another unit is not. The answer takes the same number of queries whatever the register holds."""
    client.force_login(user("mas"))
    hage01 = unit("hage-01")
    here = person("ec-hage-01")
    there = person("ec-hage-02")
    assert there.pk in _values(client, kind="delegate", q=there.last_name)  # no unit chosen: any of the MAS's units
    with django_assert_num_queries(6):
        at_unit = _values(client, kind="delegate", q="", unit=hage01.pk)
    assert here.pk in at_unit
    assert there.pk not in at_unit
    assert at_unit <= set(delegates_for(Unit.objects.filter(pk=hage01.pk)).values_list("pk", flat=True))


def test_delegate_picker_ignores_a_unit_outside_the_users_delegation_units(client):
    """A unit the MAS does not keep delegations for gives no choices (the id cannot widen what she sees)."""
    client.force_login(user("mas"))
    outside = Unit.objects.filter(municipality__code="stockholm").exclude(pk__in=delegation_units(user("mas"))).first()
    assert outside is not None
    assert _values(client, kind="delegate", q="", unit=outside.pk) == set()


def test_delegation_unit_picker_offers_the_mas_scope(client):
    client.force_login(user("mas"))
    found = _values(client, kind="delegation_unit", q="")
    assert found
    assert found <= set(delegation_units(user("mas")).values_list("pk", flat=True))


def test_routine_pickers_offer_the_municipalitys_people_and_units(client):
    """A MAR (who keeps routines but plans no follow-ups) finds any person and unit of the municipality."""
    client.force_login(user("mar"))
    ec = person("ec-hage-01")
    assert ec.pk in _values(client, kind="routine_owner", q=f"{ec.first_name} {ec.last_name}")
    assert unit("hage-01").pk in _values(client, kind="routine_unit", q="hage-01")
    foreign = _namesake_elsewhere(ec)
    assert foreign.pk not in _values(client, kind="routine_owner", q=ec.last_name)


@pytest.mark.parametrize(
    ("username", "kind", "status"),
    [
        ("rapportor", "delegator", 403),
        ("rapportor", "delegate", 403),
        ("rapportor", "delegation_unit", 403),
        ("kvalitet", "delegator", 403),  # plans follow-ups, keeps no delegation register
        ("mar", "delegator", 403),
        ("mar", "unit", 403),  # keeps routines, plans no follow-ups
        ("rapportor", "routine_owner", 403),
        ("kvalitet", "routine_unit", 403),
        ("admin", "delegate", 200),
        ("mas", "routine_owner", 200),
    ],
)
def test_each_picker_kind_answers_only_who_may_use_its_form(client, username, kind, status):
    client.force_login(user(username))
    assert client.get(PICKER, {"kind": kind, "q": "a"}).status_code == status


def test_delegation_and_routine_forms_use_the_pickers(client):
    """The forms' person and unit fields are pickers; without JavaScript the selects' labels tell namesakes apart
    (title, workplace, e-mail) and units by code and board."""
    client.force_login(user("mas"))
    body = client.get(reverse("followup:delegation_create")).content.decode()
    for kind in ("delegation_unit", "delegator", "delegate"):
        assert f'data-picker="{kind}"' in body
    assert 'data-picker-depends="unit"' in body
    assert "js/picker" in body
    ec = person("ec-hage-01")
    assert f"{ec} – " in html.unescape(body)
    assert ec.email in html.unescape(body)
    body = html.unescape(client.get(reverse("followup:routine_create")).content.decode())
    assert 'data-picker="routine_owner"' in body
    assert 'data-picker="routine_unit"' in body
    hage01 = unit("hage-01")
    assert f"{hage01.name} – hage-01 · {hage01.board.name}" in body
