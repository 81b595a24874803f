"""Who may do what with a deviation, and who may see its patient data (SPEC §8).

Derived only from the register: the user's scope (``responsibility.permissions``)
and the statutory holders on the date of the event (``responsibility.resolver``).

- reporter: the user who reported it (their own report, with its patient data);
- manager: an enhetschef or verksamhetschef whose current scope covers the unit;
- duty: the statutory MAS or MAR of the unit on the event date (or the person
  the deviation was routed to for assessment).

Patient data is shown to those three only; never to board officials nor to the
board's MAS receiving an information copy of a contractor's deviation.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from responsibility.choices import Role
from responsibility.models import Unit
from responsibility.permissions import in_role_scope, units_visible_to, user_roles
from responsibility.resolver import build_index, units_with_board
from responsibility.tenancy import person_of

REPORT_ROLES = (Role.REPORTER, Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER, Role.MAS, Role.MAR)
MANAGER_ROLES = (Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER)
DUTY_ROLES = (Role.MAS, Role.MAR)


class Actor(TextChoices):
    """A user's part in one deviation."""

    REPORTER = "reporter", _("Reporter")
    MANAGER = "manager", _("Unit or operations manager")
    DUTY = "duty", _("MAS/MAR on the event date")
    COPY = "copy", _("The board's MAS (information copy)")


def reportable_units(user):
    """Units ``user`` may report deviations for."""
    return units_visible_to(user, roles=REPORT_ROLES)


def may_report_for(user, unit: Unit) -> bool:
    """Whether ``unit`` is among :func:`reportable_units` of ``user``: asked of the request's cached scope, no query."""
    return in_role_scope(user, unit, roles=REPORT_ROLES)


def manager_units(user):
    """Units whose deviations ``user`` handles as enhetschef or verksamhetschef."""
    return units_visible_to(user, roles=MANAGER_ROLES)


def may_report(user) -> bool:
    return bool(user.is_authenticated and user_roles(user) & set(REPORT_ROLES))


def may_review_access_log(user) -> bool:
    """MAS and MAR do loggkontroll."""
    return bool(user.is_authenticated and user_roles(user) & set(DUTY_ROLES))


def actor_kinds(*, user, deviation) -> frozenset[str]:
    """The parts ``user`` plays in ``deviation`` (empty: none)."""
    if not user.is_authenticated:
        return frozenset()
    kinds = set()
    if deviation.reporter_id == user.pk:
        kinds.add(Actor.REPORTER)
    if deviation.state == "draft":
        return frozenset(kinds)
    if manager_units(user).filter(pk=deviation.unit_id).exists():
        kinds.add(Actor.MANAGER)
    person = person_of(user)
    if person is not None:
        if deviation.mas_person_id == person.pk:
            kinds.add(Actor.DUTY)
        elif user_roles(user) & set(DUTY_ROLES):
            on = timezone.localdate(deviation.occurred_at)
            unit = units_with_board(Unit.objects.filter(pk=deviation.unit_id)).get()
            index = build_index(units=[unit], on=on)
            holders = {index.resolve(unit, role).holder for role in DUTY_ROLES}
            if person in holders:
                kinds.add(Actor.DUTY)
        if deviation.board_mas_copy_id == person.pk and Actor.DUTY not in kinds:
            kinds.add(Actor.COPY)
    return frozenset(kinds)


PATIENT_DATA_ACTORS = frozenset({Actor.REPORTER, Actor.MANAGER, Actor.DUTY})


def can_see_patient_data(*, user, deviation, kinds: frozenset[str] | None = None) -> bool:
    """Whether ``user`` needs the patient identity of ``deviation`` on its unit."""
    kinds = actor_kinds(user=user, deviation=deviation) if kinds is None else kinds
    return bool(kinds & PATIENT_DATA_ACTORS)


def can_download_attachments(*, user, deviation, kinds: frozenset[str] | None = None) -> bool:
    """Attachments may hold patient data: the same people as for the patient identity."""
    return can_see_patient_data(user=user, deviation=deviation, kinds=kinds)
