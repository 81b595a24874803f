"""Deviation moves (SPEC §4): investigate, send to MAS/MAR, assess, return, close, reject, hand back, re-route.

Every move goes through the one table (:data:`incidents.workflow.TRANSITIONS`) and its machine
(:data:`incidents.workflow.DEVIATIONS`). Reporting is :mod:`incidents.reporting`, the patient
identity and the access log :mod:`incidents.patient_access`, attachments :mod:`incidents.attachments`.
Field history is kept by simple-history on the model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.services import notify
from core.transitions import lock
from core.users import logins_of
from core.validation import required_text
from incidents import routing
from incidents.models import Deviation, DeviationAction, DeviationTransition
from incidents.permissions import Actor
from incidents.reporting import apply_owner, notice_text, owner_text, owner_users, reporter_users
from incidents.workflow import (
    DEVIATIONS,
    INVESTIGATION_STATES,
    OPEN_STATES,
    DeviationTransitionError,
    Move,
    State,
    due_for,
    person_id_of,
)
from responsibility.models import Person


def _move(
    *,
    deviation: Deviation,
    move: str,
    user,
    version: int | None,
    reason: str = "",
    apply: Callable[[Deviation], list[str]] | None = None,
) -> Deviation:
    """Make ``move`` on ``deviation`` as ``user`` through the one transition helper (:mod:`core.transitions`)."""
    return DEVIATIONS.move(deviation, move=move, actor=user, version=version, reason=reason, apply=apply)


def _edit_investigation(
    *, deviation: Deviation, user, version: int | None, apply: Callable[[Deviation], list[str]]
) -> Deviation:
    """Change the investigation without moving the deviation (manager only, while it may still be edited)."""
    return DEVIATIONS.edit(
        deviation,
        actor=user,
        version=version,
        actors=(Actor.MANAGER,),
        states=INVESTIGATION_STATES,
        apply=apply,
        refused=lambda state: (
            _("The investigation cannot be changed when the deviation is “%(state)s”.") % {"state": state}
        ),
    )


def deviation_start_investigation(*, deviation: Deviation, user, version: int | None) -> Deviation:
    """Take the deviation up for investigation; the user becomes the investigator unless one is set."""

    def apply(d: Deviation) -> list[str]:
        if d.investigator_id is None:
            d.investigator = user
            return ["investigator"]
        return []

    return _move(deviation=deviation, move=Move.START_INVESTIGATION, user=user, version=version, apply=apply)


def deviation_save_investigation(
    *, deviation: Deviation, user, version: int | None, investigator, cause_analysis: str, lessons_learned: str
) -> Deviation:
    """Save the investigation (investigator, causes, lessons); a registered deviation starts being investigated."""

    def apply(d: Deviation) -> list[str]:
        d.investigator = investigator or d.investigator or user
        d.cause_analysis = (cause_analysis or "").strip()
        d.lessons_learned = (lessons_learned or "").strip()
        return ["investigator", "cause_analysis", "lessons_learned"]

    with transaction.atomic():
        locked = _edit_investigation(deviation=deviation, user=user, version=version, apply=apply)
        if locked.state == State.REGISTERED:
            locked = _move(deviation=locked, move=Move.START_INVESTIGATION, user=user, version=None)
    return locked


def deviation_add_action(
    *, deviation: Deviation, user, version: int | None, description: str, owner: Person, deadline: date
) -> DeviationAction:
    """Add a corrective action with owner and deadline to the investigation."""
    description = required_text(description, "description", _("Describe the action."))
    if deadline is None:
        raise ValidationError({"deadline": _("Enter the deadline.")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    added: dict = {}

    def apply(d: Deviation) -> list[str]:
        action = DeviationAction(deviation=d, description=description, owner=owner, deadline=deadline)
        action.full_clean()
        action.save()
        added["action"] = action
        if d.state == State.ACTIONS:
            d.due_at = due_for(deviation=d, state=State.ACTIONS, now=timezone.now())
            return ["due_at"]
        return []

    _edit_investigation(deviation=deviation, user=user, version=version, apply=apply)
    return added["action"]


def deviation_send_to_mas(*, deviation: Deviation, user, version: int | None, reason: str = "") -> Deviation:
    """Send to MAS/MAR assessment; the assessor is resolved again on the event date and notified."""
    route_holder: dict = {}

    def apply(d: Deviation) -> list[str]:
        route = routing.route(deviation=d)
        apply_owner(d, route.owner)
        route_holder["route"] = route
        with translation.override(settings.LANGUAGE_CODE):
            route_holder["reason"] = owner_text(d)
        return ["mas_person", "mas_role", "mas_deputy_for", "mas_unclear_reason", "board_mas_copy"]

    moved = _move(
        deviation=deviation,
        move=Move.SEND_TO_MAS,
        user=user,
        version=version,
        reason=lambda: " ".join(p for p in (reason.strip(), route_holder.get("reason", "")) if p),
        apply=apply,
    )
    if "route" in route_holder:
        with translation.override(settings.LANGUAGE_CODE):
            if moved.mas_unclear_reason:
                subject = notice_text(
                    _("Responsibility unclear: deviation %(reference)s at %(unit)s has come to you"), moved
                )
                body = (
                    notice_text(
                        _(
                            "Nobody could be resolved as the responsible MAS/MAR for %(unit)s, so %(reference)s "
                            "has come to you until the register is corrected."
                        ),
                        moved,
                    )
                    + " "
                    + moved.mas_unclear_reason
                )
            else:
                subject = notice_text(_("Deviation %(reference)s at %(unit)s awaits your assessment"), moved)
                body = notice_text(
                    _(
                        "A deviation at %(unit)s has been sent for MAS/MAR assessment. "
                        "Open %(reference)s in MAS-portalen."
                    ),
                    moved,
                )
            notify(
                recipients=owner_users(moved),
                kind="deviation_assessment",
                subject=subject,
                body=body,
                link=moved.get_absolute_url(),
                dedupe_key=f"deviation:{moved.pk}:assessment:{moved.version}",
            )
    return moved


def deviation_fast_track(*, deviation: Deviation, user, version: int | None) -> Deviation:
    """SPEC §4 fast-track: the responsible MAS/MAR takes a high-risk deviation into assessment at once.

    The unit's investigation goes on in parallel (its fields stay open until the deviation closes);
    the history says so and the unit's managers are told.
    """

    def apply(d: Deviation) -> list[str]:
        if not routing.is_high_risk(d):
            raise DeviationTransitionError(
                _(
                    "Only a deviation that meets the threshold for MAS/MAR assessment can be taken into "
                    "assessment before the unit sends it."
                )
            )
        if d.mas_person_id is None and not d.mas_unclear_reason:
            apply_owner(d, routing.route(deviation=d).owner)  # it met the threshold only after registration
        return ["mas_person", "mas_role", "mas_deputy_for", "mas_unclear_reason", "board_mas_copy"]

    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Taken into MAS/MAR assessment at once (high risk); the unit's investigation continues.")
    moved = _move(deviation=deviation, move=Move.FAST_TRACK, user=user, version=version, reason=reason, apply=apply)
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=logins_of(routing.route(deviation=moved).managers),
            kind="deviation_fast_track",
            subject=notice_text(_("Deviation %(reference)s at %(unit)s has been taken into MAS/MAR assessment"), moved),
            body=notice_text(
                _(
                    "The MAS/MAR has taken %(reference)s into assessment at once because of its risk. "
                    "Continue the investigation at %(unit)s as usual."
                ),
                moved,
            ),
            link=moved.get_absolute_url(),
            dedupe_key=f"deviation:{moved.pk}:fast_track:{moved.version}",
        )
    return moved


def deviation_hand_back(*, deviation: Deviation, user, version: int | None, reason: str = "") -> Deviation:
    """The deputy hands the assessment back to the person she deputised for; the history says so."""
    told: dict = {}

    def apply(d: Deviation) -> list[str]:
        if d.mas_deputy_for_id is None or d.mas_person_id != person_id_of(user):
            raise DeviationTransitionError(_("Only the deputy holding the case can hand it back."))
        told["deputy"] = d.mas_person
        with translation.override(settings.LANGUAGE_CODE):
            told["reason"] = _("Handed back by %(deputy)s to %(holder)s.") % {
                "deputy": d.mas_person.full_name,
                "holder": d.mas_deputy_for.full_name,
            }
        d.mas_person, d.mas_deputy_for = d.mas_deputy_for, None
        return ["mas_person", "mas_deputy_for"]

    moved = _move(
        deviation=deviation,
        move=Move.HAND_BACK,
        user=user,
        version=version,
        reason=lambda: " ".join(p for p in (told.get("reason", ""), reason.strip()) if p),
        apply=apply,
    )
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=owner_users(moved),
            kind="deviation_assessment",
            subject=notice_text(_("Deviation %(reference)s at %(unit)s was handed back to you for assessment"), moved),
            link=moved.get_absolute_url(),
            dedupe_key=f"deviation:{moved.pk}:handed_back:{moved.version}",
        )
    return moved


def deviation_reroute(*, deviation: Deviation) -> bool:
    """Give an open "Ansvar oklart" deviation to the MAS/MAR the register now resolves (or its new fallback).

    Run by the scheduled job once the register is corrected: a history row (by "Systemet"), and both
    the one who held it and the one who gets it are told. Returns whether anything changed.
    """
    with transaction.atomic():
        locked = lock(
            Deviation.objects.select_related("municipality", "unit", "category", "mas_person__user"), deviation.pk
        )
        if not locked.mas_unclear_reason or locked.state not in OPEN_STATES:
            return False
        owner = routing.route(deviation=locked).owner
        new_id = owner.person.pk if owner.person is not None else None
        if owner.unclear and new_id == locked.mas_person_id:
            return False
        before = owner_users(locked)
        apply_owner(locked, owner)
        locked.version += 1
        locked.save(
            update_fields=[
                "mas_person",
                "mas_role",
                "mas_deputy_for",
                "mas_unclear_reason",
                "board_mas_copy",
                "version",
                "updated_at",
            ]
        )
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Re-routed when the register was corrected.") + " " + owner_text(locked)
            subject = notice_text(_("Deviation %(reference)s at %(unit)s has been re-routed"), locked)
        DeviationTransition.objects.create(
            deviation=locked, from_state=locked.state, to_state=locked.state, actor=None, reason=reason
        )
        after = owner_users(locked)
        notify(
            recipients={u.pk: u for u in [*before, *after]}.values(),
            kind="deviation_assessment",
            subject=subject,
            body=reason,
            link=locked.get_absolute_url(),
            dedupe_key=f"deviation:{locked.pk}:rerouted:{locked.version}",
        )
    return True


def deviation_complete_investigation(*, deviation: Deviation, user, version: int | None) -> Deviation:
    """Finish the investigation without MAS assessment: refused when the deviation meets the MAS threshold."""

    def apply(d: Deviation) -> list[str]:
        if routing.is_high_risk(d):
            raise DeviationTransitionError(
                _("This deviation meets the threshold for MAS/MAR assessment: send it to MAS instead.")
            )
        if not d.cause_analysis.strip():
            raise ValidationError(
                {"cause_analysis": _("Write the cause analysis before completing the investigation.")}
            )
        return []

    return _move(deviation=deviation, move=Move.COMPLETE_INVESTIGATION, user=user, version=version, apply=apply)


def deviation_assess(
    *, deviation: Deviation, user, version: int | None, assessment: str, lex_maria: bool | None, motivation: str
) -> Deviation:
    """Record the MAS/MAR assessment and the Lex Maria decision; "yes" opens the Lex Maria case in the same transaction."""
    assessment = required_text(assessment, "assessment", _("Write the assessment."))
    if lex_maria is None:
        raise ValidationError({"lex_maria": _("Decide whether the event is to be reported under Lex Maria.")})
    motivation = required_text(motivation, "motivation", _("Give the motivation for the Lex Maria decision."))

    def apply(d: Deviation) -> list[str]:
        d.assessor, d.assessed_at, d.assessment = user, timezone.now(), assessment
        d.lex_maria_decision, d.lex_maria_motivation = lex_maria, motivation
        return ["assessor", "assessed_at", "assessment", "lex_maria_decision", "lex_maria_motivation"]

    def reason() -> str:
        person_id = person_id_of(user)
        if deviation.mas_deputy_for_id is None or deviation.mas_person_id != person_id:
            return motivation
        with translation.override(settings.LANGUAGE_CODE):
            return (
                motivation
                + " "
                + _("(%(person)s as deputy for %(holder)s.)")
                % {"person": deviation.mas_person.full_name, "holder": deviation.mas_deputy_for.full_name}
            )

    with transaction.atomic():
        moved = _move(deviation=deviation, move=Move.ASSESS, user=user, version=version, apply=apply, reason=reason)
        if lex_maria and moved.lex_maria_decision:
            from incidents.lexmaria.services import lex_maria_open

            lex_maria_open(deviation=moved, decided_by=user, motivation=motivation)
    return moved


def deviation_return(*, deviation: Deviation, user, version: int | None, reason: str) -> Deviation:
    """Send back for further investigation, with the reason."""
    reason = required_text(reason, "reason", _("Say what is to be investigated further."))
    moved = _move(deviation=deviation, move=Move.RETURN, user=user, version=version, reason=reason)
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=logins_of(routing.route(deviation=moved).managers),
            kind="deviation_returned",
            subject=notice_text(_("Deviation %(reference)s at %(unit)s was returned for further investigation"), moved),
            link=moved.get_absolute_url(),
            dedupe_key=f"deviation:{moved.pk}:returned:{moved.version}",
        )
    return moved


def deviation_close(
    *, deviation: Deviation, user, version: int | None, feedback: str, lessons_learned: str | None = None
) -> Deviation:
    """Close with feedback to the reporter; the reporter is told (without the feedback text in the e-mail)."""
    feedback = required_text(feedback, "feedback", _("Write the feedback to the reporter."))

    def apply(d: Deviation) -> list[str]:
        d.feedback_to_reporter = feedback
        fields = ["feedback_to_reporter"]
        if lessons_learned is not None and lessons_learned.strip():
            d.lessons_learned = lessons_learned.strip()
            fields.append("lessons_learned")
        return fields

    moved = _move(deviation=deviation, move=Move.CLOSE, user=user, version=version, apply=apply)
    _tell_reporter(moved)
    return moved


def deviation_reject(*, deviation: Deviation, user, version: int | None, reason: str) -> Deviation:
    """Reject as not a deviation, with the reason (shown to the reporter)."""
    reason = required_text(reason, "reason", _("Give the reason for the rejection."))

    def apply(d: Deviation) -> list[str]:
        d.rejection_reason = reason
        return ["rejection_reason"]

    moved = _move(deviation=deviation, move=Move.REJECT, user=user, version=version, apply=apply, reason=reason)
    _tell_reporter(moved)
    return moved


def _tell_reporter(deviation: Deviation) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=reporter_users(deviation),
            kind="deviation_outcome",
            subject=notice_text(_("Your deviation report %(reference)s has been handled"), deviation),
            body=notice_text(
                _("Your report %(reference)s about %(unit)s is finished. See the feedback under My reports."), deviation
            ),
            link=deviation.get_absolute_url(),
            dedupe_key=f"deviation:{deviation.pk}:outcome",
        )
