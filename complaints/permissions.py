"""Who may do what with a complaint or a collaboration deviation, and who sees patient data (SPEC §6a, §8).

The same rules as deviations, from the register only:

- registrar: the user who registered the complaint;
- manager: an enhetschef or verksamhetschef whose current scope covers the unit
  (a contractor's staff: only their provider's units);
- duty: the MAS/MAR the case was routed to, or the statutory MAS/MAR of the
  unit on the date received.

Patient data is shown to those three only. Board officials see counts
(statistics), never a complaint's content.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from complaints.routing import duty_holders_on
from incidents.permissions import DUTY_ROLES, MANAGER_ROLES, reportable_units
from responsibility.choices import Role
from responsibility.permissions import units_visible_to, user_roles
from responsibility.tenancy import person_of


class Actor(TextChoices):
    """A user's part in one complaint or collaboration deviation."""

    REGISTRAR = "registrar", _("Registered it")
    MANAGER = "manager", _("Unit or operations manager")
    DUTY = "duty", _("MAS/MAR")


PATIENT_DATA_ACTORS = frozenset({Actor.REGISTRAR, Actor.MANAGER, Actor.DUTY})
STATISTICS_ROLES = (Role.MAS, Role.MAR, Role.BOARD_OFFICIAL, Role.OPERATIONS_MANAGER)


def person_id(user) -> int | None:
    person = person_of(user)
    return person.pk if person is not None else None


def complaint_units(user):
    """Units ``user`` may register complaints for (staff, managers, MAS/MAR of the unit)."""
    return reportable_units(user)


def may_register_complaint(user) -> bool:
    return bool(user.is_authenticated and user_roles(user) & {Role.REPORTER, *MANAGER_ROLES, *DUTY_ROLES})


def may_use_complaint_queue(user) -> bool:
    return bool(user.is_authenticated and user_roles(user) & {*MANAGER_ROLES, *DUTY_ROLES})


def collaboration_units(user):
    """Units a MAS/MAR may register collaboration deviations for (her duty scope)."""
    return units_visible_to(user, roles=DUTY_ROLES)


def may_register_collaboration(user) -> bool:
    return bool(user.is_authenticated and user_roles(user) & set(DUTY_ROLES))


def may_use_collaboration_list(user) -> bool:
    return bool(user.is_authenticated and user_roles(user) & {*MANAGER_ROLES, *DUTY_ROLES})


def may_manage_counterparts(user) -> bool:
    """The municipality's own MAS/MAR (region or board scope) keep the counterparts; a contractor's MAS does not."""
    if not user.is_authenticated:
        return False
    from responsibility.permissions import user_scope

    scope = user_scope(user)
    return any(
        (part := scope.by_role.get(role)) is not None and (part.region_ids or part.board_ids) for role in DUTY_ROLES
    )


def may_see_statistics(user) -> bool:
    return bool(user.is_authenticated and user_roles(user) & set(STATISTICS_ROLES))


def manager_unit_ids(user) -> list[int]:
    """The ids of the units ``user`` manages: the deviation queue's list, read once per request."""
    from incidents.selectors import manager_unit_ids as deviation_manager_unit_ids

    return deviation_manager_unit_ids(user)


def _kinds(*, user, case, on, registrar: bool) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    kinds = set()
    if registrar and case.registered_by_id == user.pk:
        kinds.add(Actor.REGISTRAR)
    if case.unit_id in manager_unit_ids(user):
        kinds.add(Actor.MANAGER)
    pid = person_id(user)
    if pid is not None and (
        case.mas_person_id == pid
        or (user_roles(user) & set(DUTY_ROLES) and pid in duty_holders_on(unit_id=case.unit_id, on=on))
    ):
        kinds.add(Actor.DUTY)
    return frozenset(kinds)


def complaint_kinds(*, user, case) -> frozenset[str]:
    """The parts ``user`` plays in complaint ``case`` (empty: none)."""
    return _kinds(user=user, case=case, on=case.received_on, registrar=True)


def collaboration_kinds(*, user, case) -> frozenset[str]:
    """The parts ``user`` plays in collaboration deviation ``case``; the unit sees an incoming one once forwarded."""
    kinds = set(_kinds(user=user, case=case, on=case.occurred_on, registrar=False))
    if case.registered_by_id == user.pk and user_roles(user) & set(DUTY_ROLES):
        kinds.add(Actor.DUTY)
    if Actor.MANAGER in kinds and case.direction == "incoming" and case.state == "registered":
        kinds.discard(Actor.MANAGER)
    return frozenset(kinds)


def can_see_patient_data(*, user, case, kinds: frozenset[str] | None = None) -> bool:
    """Whether ``user`` needs the patient identity of complaint ``case``."""
    kinds = complaint_kinds(user=user, case=case) if kinds is None else kinds
    return bool(kinds & PATIENT_DATA_ACTORS)
