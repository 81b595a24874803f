"""Who may see and change what: derived from active assignments, plus guardian grants.

This is the one place that turns a user into a scope. Views and other apps
ask :func:`units_visible_to` (a queryset) and :func:`user_roles` and never
build their own unit filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from core.compiled import CompiledQuery
from responsibility.choices import Role
from responsibility.models import Assignment, Municipality, Person, Unit
from responsibility.scope import covering_unit_q, unit_in_scope, units_in_scope_q
from responsibility.tenancy import municipality_id_of, remember_person, request_cache, scoped


@dataclass(frozen=True)
class UserScope:
    """What a user's active assignments cover on one date."""

    roles: frozenset[str] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    provider_ids: frozenset[int] = frozenset()
    board_ids: frozenset[int] = frozenset()
    region_ids: frozenset[int] = frozenset()
    by_role: dict[str, UserScope] = field(default_factory=dict, compare=False)

    def unit_q(self, prefix: str = "") -> Q:
        """A filter on Unit (or on a model whose unit is at ``prefix``) for this scope."""
        return units_in_scope_q(
            unit_ids=self.unit_ids,
            provider_ids=self.provider_ids,
            board_ids=self.board_ids,
            region_ids=self.region_ids,
            prefix=prefix,
        )

    def covers(self, unit: Unit) -> bool:
        """:meth:`unit_q` asked of one loaded unit (no query)."""
        return unit_in_scope(
            unit,
            unit_ids=self.unit_ids,
            provider_ids=self.provider_ids,
            board_ids=self.board_ids,
            region_ids=self.region_ids,
        )


def today() -> date:
    return timezone.localdate()


def register_admin_grant(user_ref) -> Q:
    """``responsibility.change_unit`` given to the login ``user_ref`` (an id or ``OuterRef``) or to one of its
    groups: two EXISTS, each on its own indexes (not six joins under one OR)."""
    from django.contrib.auth.models import Permission

    change_unit = {"codename": "change_unit", "content_type__app_label": "responsibility"}
    return Q(Exists(Permission.objects.filter(user=user_ref, **change_unit))) | Q(
        Exists(Permission.objects.filter(group__user=user_ref, **change_unit))
    )


def register_admin_q() -> Q:
    """A filter on users: a superuser, or ``responsibility.change_unit`` given to the user or one of its groups."""
    return Q(is_superuser=True) | register_admin_grant(OuterRef("pk"))


def register_admin_flag() -> ExpressionWrapper:
    """:func:`register_admin_grant` of the row's login as a boolean column (the navigation reads it with the
    unread count: ``masportal.selectors.navigation_facts``)."""
    return ExpressionWrapper(register_admin_grant(OuterRef("pk")), output_field=BooleanField())


def _admin_flag_query(user_id):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user_id).annotate(admin=register_admin_flag()).values_list("admin")


_ADMIN_FLAG = CompiledQuery(_admin_flag_query, user_id=-7_340_033)


def is_register_admin(user) -> bool:
    """Admins configure the register and see every unit.

    Asked once per request (one statement, compiled once per process: :mod:`core.compiled`), and remembered
    in the request's cache (:func:`remember_register_admin`); :func:`~responsibility.tenancy.forget` drops it.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cache = request_cache(user)
    if "register_admin" not in cache:
        rows = _ADMIN_FLAG.rows(user_id=user.pk) if user.is_active else []
        cache["register_admin"] = bool(rows and rows[0][0])
    return cache["register_admin"]


def register_admin_known(user) -> bool:
    """Whether this request has already answered :func:`is_register_admin` for ``user`` (no query then)."""
    return user.is_superuser or "register_admin" in request_cache(user)


def remember_register_admin(user, granted: bool) -> None:
    """Keep ``granted`` (:func:`register_admin_flag` read along with other facts) as ``user``'s answer this request."""
    request_cache(user)["register_admin"] = bool(user.is_active and (user.is_superuser or granted))


def register_admin_users(*, municipality_id: int | None = None) -> list:
    """Active register admins (of ``municipality_id`` where their person says so): they hold unrouted cases."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True).filter(register_admin_q()).distinct()
    if municipality_id is not None:
        users = users.filter(person__municipality_id=municipality_id)
    return list(users.order_by("pk"))


def _scope_from(assignments) -> UserScope:
    units, providers, boards, regions, roles = set(), set(), set(), set(), set()
    for a in assignments:
        roles.add(a.role)
        if a.unit_id:
            units.add(a.unit_id)
        elif a.provider_id:
            providers.add(a.provider_id)
        elif a.board_id:
            boards.add(a.board_id)
        elif a.region_id:
            regions.add(a.region_id)
    return UserScope(frozenset(roles), frozenset(units), frozenset(providers), frozenset(boards), frozenset(regions))


class _Held(NamedTuple):
    """The scope of one active assignment (what :func:`_scope_from` reads)."""

    role: str
    unit_id: int | None
    provider_id: int | None
    board_id: int | None
    region_id: int | None


_SCOPE_FIELDS = ("role", "unit_id", "provider_id", "board_id", "region_id")


def _attnames(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _scope_query(user_id, on):
    """The login's assignments active on ``on``, each with its person and the person's municipality."""
    return (
        Assignment.objects.active_on(on)
        .filter(person__user_id=user_id)
        .order_by("role", "valid_from", "pk")
        .values_list(
            *_SCOPE_FIELDS,
            *(f"person__{name}" for name in _attnames(Person)),
            *(f"person__municipality__{name}" for name in _attnames(Municipality)),
        )
    )


_SCOPE = CompiledQuery(_scope_query, user_id=-7_340_033, on=date(1901, 2, 3))


def _person_from(row: tuple, using: str) -> Person:
    """The person (with its municipality) of a row of :data:`_SCOPE`, as the ORM would have loaded it."""
    person_names, municipality_names = _attnames(Person), _attnames(Municipality)
    start = len(_SCOPE_FIELDS)
    person = Person.from_db(using, person_names, row[start : start + len(person_names)])
    municipality = Municipality.from_db(using, municipality_names, row[start + len(person_names) :])
    Person.municipality.field.set_cached_value(person, municipality)
    return person


def user_scope(user, *, on: date | None = None) -> UserScope:
    """Return the roles and scope of ``user``'s assignments active on ``on`` (today by default).

    One statement, compiled once per process (:mod:`core.compiled`); the login's person comes along.
    """
    if not user.is_authenticated:
        return UserScope()
    on = on or today()
    cache = request_cache(user)
    cache_key = f"scope_{on.isoformat()}"
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    rows = _SCOPE.rows(user_id=user.pk, on=on)
    if rows:  # the login's person came along: person_of needs no query of its own this request
        remember_person(user, _person_from(rows[0], "default"))
    assignments = [_Held(*row[: len(_SCOPE_FIELDS)]) for row in rows]
    scope = _scope_from(assignments)
    by_role = {role: _scope_from([a for a in assignments if a.role == role]) for role in scope.roles}
    scope = UserScope(scope.roles, scope.unit_ids, scope.provider_ids, scope.board_ids, scope.region_ids, by_role)
    cache[cache_key] = scope
    return scope


def user_roles(user, *, on: date | None = None) -> frozenset[str]:
    """The roles ``user`` holds on ``on``; admins are not a role but a flag (see is_register_admin)."""
    return user_scope(user, on=on).roles


def units_visible_to(user, *, on: date | None = None, roles: tuple[str, ...] | None = None) -> QuerySet[Unit]:
    """Units of the user's municipality ``user`` may see: admins all of them, others their
    assignments' scope plus guardian grants.

    ``roles`` narrows to the scope of those roles (e.g. the units a user may report for).
    """
    if not user.is_authenticated:
        return Unit.objects.none()
    units = scoped(Unit.objects.all(), user)
    if roles is None and is_register_admin(user):  # a role's scope is the role's, also for an admin
        return units
    scope = user_scope(user, on=on)
    if roles is not None:
        parts = [scope.by_role[r] for r in roles if r in scope.by_role]
        q = Q(pk__in=[])
        for part in parts:
            q |= part.unit_q()
        return units.filter(q)
    q = scope.unit_q()
    granted = get_objects_for_user(user, "responsibility.view_unit", klass=Unit, accept_global_perms=False)
    return units.filter(q | Q(pk__in=granted.values("pk")))


def visible_unit_ids(user, *, on: date | None = None) -> list[int]:
    """The ids of :func:`units_visible_to` ``user`` (scope and guardian grants), read once per request.

    A literal list (not the nested scope and grant subqueries inside an OR) lets PostgreSQL use the
    unit index of the rows filtered by it (the follow-up and action counts of the start page).
    """
    if not user.is_authenticated:
        return []
    cache = request_cache(user)
    key = f"visible_unit_ids_{(on or today()).isoformat()}"
    if key not in cache:
        cache[key] = sorted(units_visible_to(user, on=on).values_list("pk", flat=True))
    return cache[key]


def visible_units_in(user):
    """What to filter ``unit__in=`` by for the units ``user`` sees today: the literal ids when this request has
    read them (:func:`visible_unit_ids`, the start page does, for its many figures), else the subquery of
    :func:`units_visible_to` (no query of its own, for a page with one list)."""
    ids = request_cache(user).get(f"visible_unit_ids_{today().isoformat()}") if user.is_authenticated else None
    return ids if ids is not None else units_visible_to(user)


def in_role_scope(user, unit: Unit, *, roles: tuple[str, ...], on: date | None = None) -> bool:
    """Whether ``unit`` is among ``units_visible_to(user, on=on, roles=roles)``, from the request's cached
    scope and person (no query when they are known; ``unit`` with its board loaded)."""
    if not user.is_authenticated:
        return False
    scope = user_scope(user, on=on)
    covered = any(scope.by_role[r].covers(unit) for r in roles if r in scope.by_role)
    return covered and unit.municipality_id == municipality_id_of(user)


def can_view_unit(user, unit: Unit) -> bool:
    return units_visible_to(user).filter(pk=unit.pk).exists()


def has_any_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


# The roles whose start page and navigation a user gets, in display order.
START_ROLES = (
    Role.MAS,
    Role.MAR,
    Role.OPERATIONS_MANAGER,
    Role.UNIT_MANAGER,
    Role.REPORTER,
    Role.BOARD_OFFICIAL,
    Role.QUALITY_AUDITOR,
    Role.LEX_MARIA_REPORTER,
)


@dataclass
class UnitAccess:
    """One login that sees a unit, and why: register admin, the assignments covering it, a grant on it."""

    user: object
    is_admin: bool = False
    assignments: list = field(default_factory=list)
    granted: bool = False


def who_sees_unit(unit: Unit, *, on: date | None = None) -> list[UnitAccess]:
    """The active logins of ``unit``'s municipality that see it on ``on``, each with what gives access.

    The inverse of :func:`units_visible_to`, from the same parts: register admins see every unit of
    their municipality, others the units their active assignments' scopes cover
    (:func:`~responsibility.scope.covering_unit_q` is the inverse of ``UserScope.unit_q``) plus units
    granted to them (or their groups) with guardian's ``view_unit``.
    """
    from django.contrib.auth import get_user_model
    from guardian.shortcuts import get_users_with_perms

    on = on or today()
    users = get_user_model().objects.filter(is_active=True, person__municipality_id=unit.municipality_id)
    rows: dict[int, UnitAccess] = {}

    def row(user) -> UnitAccess:
        return rows.setdefault(user.pk, UnitAccess(user=user))

    for user in register_admin_users(municipality_id=unit.municipality_id):
        row(user).is_admin = True
    assignments = (
        Assignment.objects.active_on(on)
        .filter(covering_unit_q(unit), person__user__in=users)
        .select_related("person__user", "unit", "provider", "board", "region")
        .order_by("person__last_name", "person__first_name", "role", "valid_from")
    )
    for assignment in assignments:
        row(assignment.person.user).assignments.append(assignment)
    granted = get_users_with_perms(unit, only_with_perms_in=["view_unit"], with_group_users=True)
    for user in granted.filter(pk__in=users.values("pk")):
        row(user).granted = True
    by_pk = {u.pk: u for u in users.filter(pk__in=list(rows)).select_related("person")}
    for access in rows.values():
        access.user = by_pk[access.user.pk]
    return sorted(rows.values(), key=lambda a: (a.user.person.last_name, a.user.person.first_name, a.user.username))
