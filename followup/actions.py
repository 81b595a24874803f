"""Corrective actions of a follow-up (SPEC §6, closed loop): propose, report done, verify or send back.

One table of moves (:data:`ACTION_TRANSITIONS`) enforced by :data:`ACTIONS` (the one transition helper).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.transitions import Machine, Transition, TransitionError, transition_row
from followup.choices import ActionMove, ActionState
from followup.models import Action, ActionTransition, Finding
from followup.permissions import can_perform, can_report_action, can_verify_action
from responsibility.models import Person


def action_create(*, finding: Finding, actor, description: str, owner: Person | None, deadline: date | None) -> Action:
    """Propose a corrective action; it needs an owner and a deadline."""
    if not can_perform(actor, finding.follow_up):
        raise PermissionDenied
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe the action.")
    if owner is None:
        errors["owner"] = _("Choose who owns the action.")
    if deadline is None:
        errors["deadline"] = _("Give a deadline for the action.")
    elif deadline < timezone.localdate():
        errors["deadline"] = _("The deadline cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    action = Action(finding=finding, description=description.strip(), owner=owner, deadline=deadline, created_by=actor)
    action.full_clean()
    with transaction.atomic():
        action.save()
        ActionTransition.objects.create(
            action=action,
            from_state=ActionState.OPEN,
            to_state=ActionState.OPEN,
            actor=actor,
            at=timezone.now(),
            reason=_("Proposed"),
        )
    return action


def _action_kinds(*, user, obj: Action) -> frozenset[str]:
    """The parts ``user`` plays on an action: reporting it done (owner, managers), verifying it (auditor)."""
    return frozenset(
        kind for kind, may in (("report", can_report_action), ("verify", can_verify_action)) if may(user, obj)
    )


# The one table of allowed action moves.
ACTION_TRANSITIONS: dict[str, Transition] = {
    ActionMove.REPORT_DONE: Transition(
        (ActionState.OPEN, ActionState.SENT_BACK), ActionState.REPORTED_DONE, ("report",)
    ),
    ActionMove.VERIFY: Transition((ActionState.REPORTED_DONE,), ActionState.VERIFIED, ("verify",)),
    ActionMove.SEND_BACK: Transition((ActionState.REPORTED_DONE,), ActionState.SENT_BACK, ("verify",)),
}

ACTIONS = Machine(
    model=Action,
    table=ACTION_TRANSITIONS,
    state_labels=ActionState,
    kinds=_action_kinds,
    record=transition_row(ActionTransition, "action", at_field="at"),
    select_related=("finding__follow_up",),
    versioned=False,
    touch=(),
    denied=lambda: _("You may not do this on this action."),
)


def action_transition(*, action: Action, to_state: str, actor, reason: str = "", note: str = "") -> Action:
    """Move ``action`` to ``to_state`` if the table allows it and ``actor`` may; record who, when, why."""
    move = next((m for m, t in ACTION_TRANSITIONS.items() if t.target == to_state), None)
    if move is None:
        raise TransitionError(
            _("An action cannot go from “%(from)s” to “%(to)s”.")
            % {"from": ActionState(action.state).label, "to": ActionState(to_state).label}
        )
    reason, note = (reason or "").strip(), (note or "").strip()

    def apply(a: Action) -> list[str]:
        now = timezone.now()
        if to_state == ActionState.REPORTED_DONE:
            if not note:
                raise ValidationError({"note": _("Describe what was done.")})
            a.report_note, a.reported_done_at, a.reported_done_by = note, now, actor
            return ["report_note", "reported_done_at", "reported_done_by"]
        if to_state == ActionState.SENT_BACK:
            if not reason:
                raise ValidationError({"reason": _("Give a reason for sending the action back.")})
            a.sent_back_reason = reason
            return ["sent_back_reason"]
        a.verified_by, a.verified_at = actor, now
        return ["verified_by", "verified_at"]

    return ACTIONS.move(action, move=move, actor=actor, reason=reason or note, apply=apply)


def action_report_done(*, action: Action, actor, note: str) -> Action:
    return action_transition(action=action, to_state=ActionState.REPORTED_DONE, actor=actor, note=note)


def action_verify(*, action: Action, actor) -> Action:
    return action_transition(action=action, to_state=ActionState.VERIFIED, actor=actor)


def action_send_back(*, action: Action, actor, reason: str) -> Action:
    return action_transition(action=action, to_state=ActionState.SENT_BACK, actor=actor, reason=reason)
