"""Delegations of health-care tasks (SOSFS 1997:14): register from a licensed person, revoke with a reason."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.transitions import lock
from followup.models import Delegation
from followup.permissions import can_manage_delegations, can_revoke
from responsibility.models import Assignment, Person, Unit
from responsibility.scope import covering_unit_q


def person_has_role_at(*, person: Person, unit: Unit, on: date) -> bool:
    """Whether ``person`` holds any active assignment covering ``unit`` on ``on``."""
    return Assignment.objects.active_on(on).filter(covering_unit_q(unit), person=person).exists()


def delegation_create(
    *,
    actor,
    from_person: Person | None,
    to_person: Person | None,
    unit: Unit | None,
    tasks: str,
    valid_from: date | None,
    valid_to: date | None,
) -> Delegation:
    """Register a delegation: from a licensed person, to someone with a role at the unit, at most the allowed length."""
    if not can_manage_delegations(actor, unit):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if from_person is None:
        errors["from_person"] = _("Choose who delegates.")
    elif not from_person.licensed:
        errors["from_person"] = _("Only a licensed person (legitimerad) can delegate a health-care task.")
    if to_person is None:
        errors["to_person"] = _("Choose who receives the delegation.")
    if unit is None:
        errors["unit"] = _("Choose the unit.")
    if not (tasks or "").strip():
        errors["tasks"] = _("List the delegated tasks.")
    if valid_from is None:
        errors["valid_from"] = _("Give the first day of the delegation.")
    if valid_to is None:
        errors["valid_to"] = _("Give the last day of the delegation.")
    if valid_from and valid_to:
        max_days = unit.municipality.delegation_max_days if unit is not None else 365
        if valid_to < valid_from:
            errors["valid_to"] = _("'Valid to' cannot be before 'valid from'.")
        elif (valid_to - valid_from).days + 1 > max_days:
            errors["valid_to"] = _(
                "A delegation may be valid for at most %(days)s days (SOSFS 1997:14); this one is %(length)s days."
            ) % {"days": max_days, "length": (valid_to - valid_from).days + 1}
    if (
        to_person is not None
        and unit is not None
        and valid_from
        and not person_has_role_at(person=to_person, unit=unit, on=valid_from)
    ):
        errors["to_person"] = _("%(person)s has no role at %(unit)s and cannot receive a delegation there.") % {
            "person": to_person,
            "unit": unit,
        }
    if from_person is not None and to_person is not None and from_person.pk == to_person.pk:
        errors["to_person"] = _("A person cannot delegate to themself.")
    if errors:
        raise ValidationError(errors)
    delegation = Delegation(
        municipality=unit.municipality,
        from_person=from_person,
        to_person=to_person,
        unit=unit,
        tasks=tasks.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        created_by=actor,
    )
    delegation.full_clean()
    delegation.save()
    return delegation


def delegation_revoke(*, delegation: Delegation, actor, revoked_at: date | None, reason: str) -> Delegation:
    """Revoke a delegation from a date, with a reason; revoking again changes nothing."""
    if not can_revoke(actor, delegation):
        raise PermissionDenied
    errors = {}
    if revoked_at is None:
        errors["revoked_at"] = _("Give the date of the revocation.")
    if not (reason or "").strip():
        errors["revoked_reason"] = _("Give a reason for the revocation.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delegation = lock(Delegation.objects, delegation.pk)
        if delegation.revoked_at is not None:
            return delegation
        if revoked_at < delegation.valid_from:
            revoked_at = delegation.valid_from
        delegation.revoked_at, delegation.revoked_reason, delegation.revoked_by = revoked_at, reason.strip(), actor
        delegation.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    return delegation
