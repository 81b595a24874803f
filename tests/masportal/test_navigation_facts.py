"""The per-request facts every page needs (issue 17): compiled once, read in as few statements as possible."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.utils import timezone

from core.compiled import CompiledQuery
from core.models import Notification
from core.selectors import unread_notification_count
from masportal.selectors import navigation_facts
from responsibility.models import Assignment, Municipality
from responsibility.permissions import is_register_admin, register_admin_q, user_scope
from responsibility.tenancy import forget, person_of

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _change_unit() -> Permission:
    return Permission.objects.get(codename="change_unit", content_type__app_label="responsibility")


def test_a_compiled_query_runs_with_the_values_it_is_given():
    """The statement is compiled once with stand-ins; each run binds its own values (a date as its backend wants)."""
    query = CompiledQuery(
        lambda municipality_id, on: (
            Assignment.objects.active_on(on)
            .filter(person__municipality_id=municipality_id)
            .values_list("pk")
            .order_by("pk")
        ),
        municipality_id=-7_340_033,
        on=date(1901, 2, 3),
    )
    for municipality in Municipality.objects.all():
        for on in (date(2020, 1, 1), date(2026, 6, 1)):
            expected = list(
                Assignment.objects.active_on(on)
                .filter(person__municipality=municipality)
                .values_list("pk")
                .order_by("pk")
            )
            assert query.rows(municipality_id=municipality.pk, on=on) == expected


def test_a_compiled_query_refuses_a_stand_in_that_is_no_parameter():
    """A value the statement does not take is a mistake, said at compile time."""
    query = CompiledQuery(lambda user_id: Municipality.objects.values_list("pk"), user_id=-7_340_033)
    with pytest.raises(ValueError, match="user_id"):
        query.rows(user_id=1)


def test_the_register_admin_flag_agrees_with_the_filter_on_users():
    """is_register_admin (one compiled statement) and register_admin_q (the filter) agree: a direct grant, a
    group's grant, the same codename of another app, an inactive login, a superuser, nobody."""
    users = get_user_model().objects
    direct = users.create_user("direkt")
    direct.user_permissions.add(_change_unit())
    via_group = users.create_user("grupp")
    group = Group.objects.create(name="Registeradministratörer")
    group.permissions.add(_change_unit())
    via_group.groups.add(group)
    other_app = users.create_user("annan")
    other_type = ContentType.objects.get_for_model(Group)
    other = Permission.objects.create(codename="change_unit", name="Other change unit", content_type=other_type)
    other_app.user_permissions.add(other)
    inactive = users.create_user("inaktiv", is_active=False)
    inactive.user_permissions.add(_change_unit())
    users.create_superuser("superuser")
    admins = set(users.filter(register_admin_q(), is_active=True).values_list("username", flat=True))
    for user in users.all():
        forget(user)
        assert is_register_admin(user) == (user.username in admins), user.username
    assert {"direkt", "grupp", "superuser"} <= admins
    assert not {"annan", "inaktiv"} & admins


def test_navigation_facts_are_one_statement_and_shared_with_the_views(django_assert_num_queries):
    """The admin flag and the unread count (the digest is none) in one statement; asked again, or by a view
    afterwards, none."""
    user = get_user_model().objects.get(username="mas")
    user.user_permissions.add(_change_unit())
    user = get_user_model().objects.get(pk=user.pk)
    before = Notification.objects.filter(recipient=user, read_at__isnull=True).exclude(kind="digest").count()
    for n, kind in enumerate(("deviation_registered", "deviation_registered", Notification.DIGEST_KIND, "read")):
        Notification.objects.create(recipient=user, kind=kind, subject="s", body="b", link="/", dedupe_key=f"t{n}")
    Notification.objects.filter(recipient=user, kind="read").update(read_at=timezone.now())
    request = _request(user)
    with django_assert_num_queries(1):
        assert navigation_facts(request) == (True, before + 2)
    with django_assert_num_queries(0):
        assert navigation_facts(request) == (True, before + 2)
        assert is_register_admin(user)
        assert unread_notification_count(request=request) == before + 2


def test_navigation_facts_after_a_view_asked_the_admin_flag_cost_only_the_count(django_assert_num_queries):
    """A view that asked is_register_admin first leaves the navigation only the count."""
    user = get_user_model().objects.get(username="mas")
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).exclude(kind="digest").count()
    request = _request(user)
    assert not is_register_admin(user)
    with django_assert_num_queries(1):
        assert navigation_facts(request) == (False, unread)


def test_the_scope_brings_the_person_and_its_municipality(django_assert_num_queries):
    """user_scope reads the login's assignments with its person and municipality: person_of needs no query."""
    user = get_user_model().objects.get(username="mas")
    with django_assert_num_queries(1):
        scope = user_scope(user)
        person = person_of(user)
        municipality = person.municipality
    assert person == user.person
    assert municipality == user.person.municipality
    assert municipality.name == Municipality.objects.get(pk=municipality.pk).name
    today = timezone.localdate()
    expected = set(Assignment.objects.active_on(today).filter(person__user=user).values_list("role", flat=True))
    assert scope.roles == expected
