"""'Who can see unit X and why': the inverse of the register's scope rule, for register admins only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from responsibility.models import Municipality, Person, Unit
from responsibility.permissions import units_visible_to, who_sees_unit
from responsibility.tenancy import forget

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    # The demo is loaded once per test database (tests/conftest.py); this test rolls back to it.
    return Municipality.objects.get()


def _user(username):
    return get_user_model().objects.get(username=username)


def test_the_list_is_exactly_the_logins_units_visible_to_lets_see_the_unit(demo):
    # A login with no assignment, granted the unit through a group: it sees the unit, and is listed as granted.
    guest = get_user_model().objects.create_user("gast", password="x-Gast-2026!")  # noqa: S106
    Person.objects.create(municipality=demo, user=guest, first_name="Gunnel", last_name="Gäst", profession="NURSE")
    unit = Unit.objects.filter(municipality=demo).order_by("code").first()
    group = Group.objects.create(name="Granskare")
    guest.groups.add(group)
    assign_perm("responsibility.view_unit", group, unit)

    users = get_user_model().objects.filter(is_active=True, person__municipality=demo)
    for each in Unit.objects.filter(municipality=demo):
        listed = {row.user.pk for row in who_sees_unit(each)}
        seeing = set()
        for user in users:
            forget(user)
            if units_visible_to(user).filter(pk=each.pk).exists():
                seeing.add(user.pk)
        assert listed == seeing, each.code
        assert listed  # the demo's admin sees every unit

    rows = {row.user.username: row for row in who_sees_unit(unit)}
    assert rows["gast"].granted
    assert not rows["gast"].assignments
    assert not rows["gast"].is_admin
    assert rows["admin"].is_admin
    assert any(row.assignments for row in rows.values())


def test_a_deactivated_login_is_not_listed(demo):
    unit = Unit.objects.filter(municipality=demo).order_by("code").first()
    row = next(r for r in who_sees_unit(unit) if r.assignments)
    row.user.is_active = False
    row.user.save()
    assert row.user.pk not in {r.user.pk for r in who_sees_unit(unit)}


def test_the_page_shows_each_login_and_the_role_that_gives_access(client, demo, django_assert_num_queries):
    unit = Unit.objects.filter(municipality=demo).order_by("code").first()
    holder = next(r for r in who_sees_unit(unit) if r.assignments)
    assignment = holder.assignments[0]
    client.force_login(_user("admin"))
    client.get("/")  # warm the session
    with django_assert_num_queries(10):
        response = client.get(f"/konton/enheter/{unit.code}/atkomst/")
    assert response.status_code == 200
    body = response.content.decode()
    assert holder.user.username in body
    assert assignment.get_role_display() in body
    assert str(assignment.scope_object) in body
    assert "Registeradministratör" in body  # Swedish is the default language


def test_only_the_municipalitys_register_admins_see_the_page(client, demo):
    unit = Unit.objects.filter(municipality=demo).order_by("code").first()
    url = f"/konton/enheter/{unit.code}/atkomst/"
    assert client.get(url).status_code == 302
    client.force_login(_user("mas"))
    assert client.get(url).status_code == 403

    other = Municipality.objects.create(name="Annan kommun", code="annan", org_number="212000-0001")
    admin = get_user_model().objects.create_user("annan-admin", password="x-Annan-2026!")  # noqa: S106
    Person.objects.create(municipality=other, user=admin, first_name="Anna", last_name="Annan", profession="NURSE")
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(url).status_code == 404  # another municipality's unit
    assert client.get("/konton/enheter/finns-inte/atkomst/").status_code == 404
