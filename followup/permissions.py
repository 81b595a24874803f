"""Who may plan, perform and verify follow-ups, report actions and keep delegations (SPEC §6).

Everything is derived from the responsibility register through
:mod:`responsibility.permissions`; nothing here builds its own unit filter.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone

from followup.models import Action, Delegation, FollowUp
from responsibility.choices import Role
from responsibility.models import Assignment, Person, Unit
from responsibility.permissions import has_any_role, is_register_admin, units_visible_to, user_scope
from responsibility.scope import covering_unit_q
from responsibility.tenancy import person_of


def is_auditor_for(*, person: Person, unit: Unit | None, board_id: int | None, on: date) -> bool:
    """Whether ``person`` holds an active quality-auditor assignment covering the unit (or the board)."""
    qs = Assignment.objects.active_on(on).filter(person=person, role=Role.QUALITY_AUDITOR)
    if unit is not None:
        qs = qs.filter(covering_unit_q(unit))
    elif board_id is not None:
        qs = qs.filter(Q(board_id=board_id) | Q(region__boards__id=board_id))
    return qs.exists()


def can_manage_plans(user) -> bool:
    """Admins and MAS define follow-up plans."""
    return is_register_admin(user) or has_any_role(user, Role.MAS)


def can_create_followup(user) -> bool:
    """Admins, MAS and quality auditors create ad-hoc follow-ups."""
    return is_register_admin(user) or has_any_role(user, Role.MAS, Role.QUALITY_AUDITOR)


def can_perform(user, follow_up: FollowUp) -> bool:
    """The follow-up's auditor performs it; an unassigned one any auditor whose scope covers it."""
    person = person_of(user)
    if person is None:
        return False
    on = timezone.localdate()
    if follow_up.auditor_id is not None:
        return follow_up.auditor_id == person.pk and is_auditor_for(
            person=person, unit=follow_up.unit, board_id=follow_up.board_id, on=on
        )
    return is_auditor_for(person=person, unit=follow_up.unit, board_id=follow_up.board_id, on=on)


def can_report_action(user, action: Action) -> bool:
    """The owner, or a manager of the unit (enhetschef, verksamhetschef), reports an action done."""
    person = person_of(user)
    if person is not None and action.owner_id == person.pk:
        return True
    unit_id = action.finding.follow_up.unit_id
    if unit_id is None:
        return False
    return units_visible_to(user, roles=(Role.UNIT_MANAGER, Role.OPERATIONS_MANAGER)).filter(pk=unit_id).exists()


def can_verify_action(user, action: Action) -> bool:
    """The auditor of the follow-up (or, when none, an auditor covering it) verifies or sends back."""
    return can_perform(user, action.finding.follow_up)


def can_manage_delegations(user, unit: Unit | None = None) -> bool:
    """The MAS keeps the delegation register for the units in their MAS scope."""
    if unit is None:
        return has_any_role(user, Role.MAS) or is_register_admin(user)
    if is_register_admin(user):
        return True
    return units_visible_to(user, roles=(Role.MAS,)).filter(pk=unit.pk).exists()


def can_revoke(user, delegation: Delegation) -> bool:
    person = person_of(user)
    if person is not None and delegation.from_person_id == person.pk:
        return True
    return can_manage_delegations(user, delegation.unit)


def can_manage_routines(user) -> bool:
    return is_register_admin(user) or has_any_role(user, Role.MAS, Role.MAR)


def is_contractor_only(user) -> bool:
    """A user whose whole scope is one or more providers' units (contractor staff)."""
    scope = user_scope(user)
    return bool(scope.provider_ids) and not scope.board_ids and not scope.region_ids
