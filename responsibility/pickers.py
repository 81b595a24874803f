"""Choices of the admin forms' type-ahead pickers: people and the assignments a deputy can stand in for.

Namesakes are told apart by title, where they work (their current assignments' scopes) and e-mail. The
same labels are used by the server-rendered fallback (a plain select) and by the type-ahead endpoint.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from responsibility.choices import Profession, Role
from responsibility.models import Assignment, Municipality, Person

KINDS = ("person", "deputy")
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
    if role not in Role.values:
        role = ""
    words = q.split()[:5]
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
