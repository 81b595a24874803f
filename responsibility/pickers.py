"""Choices of the admin forms' type-ahead pickers: people and the assignments a deputy can stand in for.

Namesakes are told apart by title, where they work (their current assignments' scopes) and e-mail. The
same labels are used by the server-rendered fallback (a plain select) and by the type-ahead endpoint.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from responsibility.choices import Profession, Role
from responsibility.models import Assignment, Municipality, Person, Unit

KINDS = ("person", "deputy", "unit", "login_person")
LIMIT = 20
DEPUTISED_ROLES = (Role.MAS, Role.MAR, Role.OPERATIONS_MANAGER, Role.LEX_MARIA_REPORTER)
SCOPE_RELATED = ("unit", "provider", "board", "region")


def _current(qs: QuerySet) -> QuerySet:
    return qs.active_on(timezone.localdate())


def people(municipality: Municipality, *, role: str = "") -> QuerySet[Person]:
    """The municipality's people with their current assignments; only those who may hold ``role`` (R4)."""
    qs = Person.objects.filter(municipality=municipality)
    if role == Role.MAS:
        qs = qs.filter(licensed=True, profession=Profession.NURSE)
    elif role == Role.MAR:
        qs = qs.filter(licensed=True, profession__in=[Profession.PHYSIOTHERAPIST, Profession.OCCUPATIONAL_THERAPIST])
    return with_current(qs)


def people_without_login(municipality: Municipality) -> QuerySet[Person]:
    """The municipality's people who have no login yet (the user administration's "create" and "link")."""
    return with_current(Person.objects.filter(municipality=municipality, user__isnull=True))


def with_current(qs: QuerySet[Person]) -> QuerySet[Person]:
    """``qs`` with each person's current assignments (``current_assignments``), which tell namesakes apart."""
    current = _current(Assignment.objects.select_related(*SCOPE_RELATED))
    return qs.prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments")).order_by(
        "last_name", "first_name", "pk"
    )


def deputy_targets(municipality: Municipality, *, role: str = "") -> QuerySet[Assignment]:
    """Assignments a deputy may stand in for: statutory holders' own (not deputies'), of ``role`` if given."""
    qs = Assignment.objects.filter(
        person__municipality=municipality, deputy_for__isnull=True, role__in=DEPUTISED_ROLES
    ).select_related("person", *SCOPE_RELATED)
    if role:
        qs = qs.filter(role=role)
    return qs.order_by("role", "person__last_name", "person__first_name", "valid_from")


def person_detail(person: Person) -> str:
    places = sorted({str(a.scope_object) for a in getattr(person, "current_assignments", [])})
    return " · ".join(part for part in [person.title, *places[:2], person.email] if part)


def person_label(person: Person) -> str:
    detail = person_detail(person)
    return f"{person} – {detail}" if detail else str(person)


def deputy_detail(assignment: Assignment) -> str:
    end = assignment.valid_to.isoformat() if assignment.valid_to else "…"
    parts = [
        assignment.get_role_display(),
        str(assignment.scope_object),
        f"{assignment.valid_from.isoformat()} – {end}",
        assignment.person.email,
    ]
    return " · ".join(part for part in parts if part)


def deputy_label(assignment: Assignment) -> str:
    return f"{assignment.person} – {deputy_detail(assignment)}"


def search(*, kind: str, municipality: Municipality, q: str, role: str = "") -> list[dict]:
    """At most ``LIMIT`` choices whose name, e-mail or title contain every word of ``q``."""
    if kind == "unit":
        return unit_results(Unit.objects.filter(municipality=municipality), q)
    if role not in Role.values:
        role = ""
    words = q.split()[:5]
    if kind == "login_person":
        return person_results(people_without_login(municipality), q)
    if kind == "person":
        qs = people(municipality, role=role)
        prefix = ""
    else:
        qs = deputy_targets(municipality, role=role)
        prefix = "person__"
    for word in words:
        qs = qs.filter(
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}email__icontains": word})
            | Q(**{f"{prefix}title__icontains": word})
        )
    detail = person_detail if kind == "person" else deputy_detail
    name = (lambda obj: str(obj)) if kind == "person" else (lambda obj: str(obj.person))
    return [{"value": obj.pk, "label": name(obj), "detail": detail(obj)} for obj in qs[:LIMIT]]


def match_people(qs: QuerySet[Person], q: str) -> QuerySet[Person]:
    """The people of ``qs`` whose name, e-mail or title contain every word of ``q``."""
    for word in q.split()[:5]:
        qs = qs.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(title__icontains=word)
        )
    return qs


def person_results(qs: QuerySet[Person], q: str) -> list[dict]:
    """At most ``LIMIT`` choices of ``qs`` (people, with ``with_current``) matching ``q``."""
    return [{"value": p.pk, "label": str(p), "detail": person_detail(p)} for p in match_people(qs, q)[:LIMIT]]


def units_for_picker(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    return qs.select_related("board", "provider").order_by("name", "pk")


def unit_detail(unit: Unit) -> str:
    return " · ".join(part for part in [unit.code, unit.board.name, unit.provider.name] if part)


def unit_label(unit: Unit) -> str:
    return f"{unit.name} – {unit_detail(unit)}"


def unit_results(qs: QuerySet[Unit], q: str) -> list[dict]:
    """At most ``LIMIT`` units of ``qs`` whose name, code, board or provider contain every word of ``q``."""
    qs = units_for_picker(qs)
    for word in q.split()[:5]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(code__icontains=word)
            | Q(board__name__icontains=word)
            | Q(provider__name__icontains=word)
        )
    return [{"value": u.pk, "label": u.name, "detail": unit_detail(u)} for u in qs[:LIMIT]]


def picker_attrs(kind: str, url: str, **params: object) -> dict:
    """The attributes that make a select a type-ahead picker (``static/js/picker.js``) of ``kind`` at ``url``;
    ``params`` are sent with every search (e.g. the follow-up whose unit's people may own an action)."""
    attrs = {
        "data-picker": kind,
        "data-picker-url": url,
        "data-text-results": _("%(n)s matches. Use the up and down arrows to choose."),
        "data-text-none": _("No matches."),
        "data-text-chosen": _("Chosen: %(label)s"),
    }
    if params:
        attrs["data-picker-params"] = "&".join(f"{key}={value}" for key, value in params.items())
    return attrs
