"""Tenancy: which municipality a request is in, and which register person a login is.

One home for both questions (every query and write is scoped to the request's
municipality). The answer is the municipality of the user's person record; there is no
fallback to "the first municipality". A login without a person record (also a superuser)
is in no municipality: :func:`municipality_of` raises :class:`NoMunicipality`, which the
views turn into a 403 page that says what to do. The national operator's full view of
every municipality is Django admin (superusers only), never the product's pages.

Both answers are cached once per request on the request's user object
(:func:`request_cache`), the same cache the role scope uses.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from responsibility.models import Municipality, Person

_CACHE_ATTR = "_masportal_request_cache"
_MISSING = object()


class NoMunicipality(PermissionDenied):
    """The login is connected to no municipality: it may see and change nothing municipal.

    The 403 page (templates/403.html) then says how to get connected.
    """


def request_cache(user) -> dict:
    """The per-request cache of ``user`` (a login object lives as long as its request)."""
    cache = user.__dict__.get(_CACHE_ATTR)
    if cache is None:
        cache = {}
        user.__dict__[_CACHE_ATTR] = cache
    return cache


def forget(user) -> None:
    """Drop ``user``'s cached person, municipality, scope and admin flag (after their register rows or rights changed)."""
    user.__dict__.pop(_CACHE_ATTR, None)


def _user(request_or_user):
    return getattr(request_or_user, "user", request_or_user)


def person_of(user) -> Person | None:
    """The register person behind a login (with its municipality), or None."""
    user = _user(user)
    if user is None or not user.is_authenticated:
        return None
    cache = request_cache(user)
    person = cache.get("person", _MISSING)
    if person is _MISSING:
        person = Person.objects.filter(user=user).select_related("municipality").first()
        cache["person"] = person
    return person


def remember_person(user, person: Person) -> None:
    """Keep ``person`` (loaded with its municipality) as the person of ``user`` for this request, if not yet known."""
    request_cache(user).setdefault("person", person)


def municipality_id_of(request_or_user) -> int | None:
    """The pk of the municipality a request (or a login) is in, or None when it is in none."""
    person = person_of(_user(request_or_user))
    return person.municipality_id if person is not None else None


def municipality_of(request_or_user) -> Municipality:
    """The municipality a request (or a login) is in; raise :class:`NoMunicipality` (a 403) when none."""
    person = person_of(_user(request_or_user))
    if person is None:
        raise NoMunicipality
    return person.municipality


def municipality_by_code(code: str) -> Municipality:
    """The municipality a command or job names by code (commands always name one)."""
    return Municipality.objects.get(code=code)


def in_municipality_q(request_or_user, field: str = "municipality") -> Q:
    """A filter on rows whose ``field`` is the municipality of the request (none when it is in none).

    With the person already known this request it is a plain id; otherwise a subquery,
    so that scoping a queryset never costs a query of its own.
    """
    user = _user(request_or_user)
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    person = request_cache(user).get("person", _MISSING)
    if person is None:
        return Q(pk__in=[])
    key = f"{field}_id" if field else "pk"  # "": the queryset is of Municipality itself
    if person is not _MISSING:
        return Q(**{key: person.municipality_id})
    return Q(**{f"{key}__in": Person.objects.filter(user=user).values("municipality_id")[:1]})


def scoped(queryset: QuerySet, request_or_user, field: str = "municipality") -> QuerySet:
    """``queryset`` narrowed to the request's municipality (``field`` names the path to it)."""
    return queryset.filter(in_municipality_q(request_or_user, field))


def scope_form_choices(form, municipality: Municipality | int | None) -> None:
    """Narrow every model choice of ``form`` that belongs to a municipality to ``municipality``.

    Choices that reach a municipality through their unit or board are narrowed the same way, so
    no form offers (or accepts) another municipality's rows.
    """
    municipality_id = getattr(municipality, "pk", municipality)
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        path = municipality_path(queryset.model)
        if path is None:
            continue
        if not municipality_id:
            field.queryset = queryset.none()
            continue
        mine = Q(**{f"{path}_id": municipality_id})
        if path == "municipality" and queryset.model._meta.get_field("municipality").null:
            mine |= Q(municipality__isnull=True)  # shared by every municipality
        field.queryset = queryset.filter(mine)


def municipality_path(model) -> str | None:
    """The lookup from ``model`` to its municipality (``municipality``, ``unit__municipality``, …), or None."""
    names = {f.name for f in model._meta.get_fields() if f.concrete}
    for path in ("municipality", "person__municipality", "unit__municipality", "board__municipality"):
        if path.split("__")[0] in names:
            return path
    return None


def require_same_municipality(municipality: Municipality | int, **objects) -> None:
    """Raise ValidationError (keyed by name) for each of ``objects`` that belongs to another municipality.

    ``None`` values are skipped; a row shared by every municipality (an empty municipality,
    e.g. a national checklist template) belongs to all of them.
    """
    municipality_id = getattr(municipality, "pk", municipality)
    errors = {}
    for name, obj in objects.items():
        if obj is None:
            continue
        path = municipality_path(type(obj))
        owner = obj
        for part in path.split("__")[:-1]:
            owner = getattr(owner, part)
        if owner.municipality_id not in (None, municipality_id):
            errors[name] = _("This belongs to another municipality.")
    if errors:
        raise ValidationError(errors)
