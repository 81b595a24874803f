""" "Ansvar oklart" (SPEC §3): give an open complaint or collaboration deviation to the MAS/MAR the
register now resolves on its date, once the register is corrected (the scheduled job)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from complaints import routing
from complaints.models import CollaborationDeviation, CollaborationTransition, Complaint, ComplaintTransition
from complaints.workflow import COLLABORATION_OPEN_STATES, COMPLAINT_OPEN_STATES
from core.services import notify
from core.transitions import lock
from core.users import logins_of


def _reroute(case, *, on: date, rehabilitation: bool, transition_model, case_field: str, prefix: str) -> bool:
    """Give an open "Ansvar oklart" case to the MAS/MAR the register now resolves on its date.

    A history row by "Systemet" (actor None); the one who held it and the one who gets it are told.
    """
    route = routing.route(unit=case.unit_id, on=on, rehabilitation=rehabilitation)
    new_id = route.duty_holder.pk if route.duty_holder is not None else None
    if route.unclear_reason and new_id == case.mas_person_id:
        return False
    before = logins_of([case.mas_person])
    case.mas_person, case.mas_unclear_reason = route.duty_holder, route.unclear_reason
    fields = ["mas_person", "mas_unclear_reason", "version", "updated_at"]
    if hasattr(case, "mas_role"):
        case.mas_role = route.duty_role
        fields.append("mas_role")
    case.version += 1
    case.save(update_fields=fields)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Re-routed when the register was corrected.")
        values = {"reference": case.reference, "unit": case.unit.name}
        subject = _("%(reference)s about %(unit)s has been re-routed") % values
    transition_model.objects.create(
        **{case_field: case}, from_state=case.state, to_state=case.state, actor=None, reason=reason
    )
    notify(
        recipients={u.pk: u for u in [*before, *logins_of([route.duty_holder])]}.values(),
        kind=f"{prefix}_rerouted",
        subject=subject,
        body=reason,
        link=case.get_absolute_url(),
        dedupe_key=f"{prefix}:{case.pk}:rerouted:{case.version}",
    )
    return True


def complaint_reroute(*, complaint: Complaint) -> bool:
    """Re-route an open "Ansvar oklart" complaint on its date received; whether anything changed."""
    with transaction.atomic():
        locked = lock(Complaint.objects.select_related("unit", "mas_person__user"), complaint.pk)
        if not locked.mas_unclear_reason or locked.state not in COMPLAINT_OPEN_STATES:
            return False
        rehabilitation = locked.categories.filter(is_rehabilitation=True).exists()
        return _reroute(
            locked,
            on=locked.received_on,
            rehabilitation=rehabilitation,
            transition_model=ComplaintTransition,
            case_field="complaint",
            prefix="complaint",
        )


def collaboration_reroute(*, case: CollaborationDeviation) -> bool:
    """Re-route an open "Ansvar oklart" collaboration deviation on its event date; whether anything changed."""
    with transaction.atomic():
        locked = lock(CollaborationDeviation.objects.select_related("unit", "mas_person__user"), case.pk)
        if not locked.mas_unclear_reason or locked.state not in COLLABORATION_OPEN_STATES:
            return False
        return _reroute(
            locked,
            on=locked.occurred_on,
            rehabilitation=False,
            transition_model=CollaborationTransition,
            case_field="deviation",
            prefix="collaboration",
        )
