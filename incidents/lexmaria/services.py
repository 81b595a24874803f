"""Writes of Lex Maria cases (SPEC §5): open a case on a "yes", move it step by step, re-route it.

What a step needs first and who may take it are the tables of :mod:`incidents.lexmaria.steps`;
:func:`_move` enforces both through the one transition helper (:mod:`core.transitions`: row lock,
actor, version) and records actor, time and reason. The route and every person in the chain are
resolved from the register on the date of the event (:mod:`incidents.lexmaria.routing`); who plays
which part and who is told is :mod:`incidents.lexmaria.actors`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import references
from core.services import notify
from core.transitions import Machine, StaleError, Transition, TransitionError, lock
from core.validation import entered_date
from incidents.lexmaria.actors import NOTIFY_SUBJECTS, actor_kinds, notify_chain, owner_users, users_of
from incidents.lexmaria.models import LexMariaCase, LexMariaState, LexMariaStepNotApplicable, LexMariaTransition
from incidents.lexmaria.routing import event_date, resolve_chain
from incidents.lexmaria.steps import (
    MAY_BE_NOT_APPLICABLE,
    NOT_APPLICABLE,
    REROUTED,
    Actor,
    Step,
    actors_for,
    decided_on,
    is_done,
    milestone,
    next_due_at,
    refuse_unless_open,
)
from incidents.models import Deviation, DeviationAction, ReferenceCounter
from responsibility.models import Person
from responsibility.tenancy import person_of

State = LexMariaState


OPEN_STATES = [s for s in State.values if s != State.CLOSED]


# The errors of the one transition helper, under the names the Lex Maria code has used.
LexMariaTransitionError = TransitionError
StaleCaseError = StaleError


# --- opening -------------------------------------------------------------------


def may_decide(*, user, deviation: Deviation) -> bool:
    """Whether ``user`` may decide a Lex Maria "yes" on ``deviation``: the MAS/MAR who holds its assessment."""
    person = person_of(user)
    return person is not None and deviation.mas_person_id == person.pk


def _deputy_text(person: Person | None, deputy_for: Person | None) -> str:
    if person is None or deputy_for is None:
        return ""
    return _("%(person)s as deputy for %(holder)s.") % {"person": person.full_name, "holder": deputy_for.full_name}


@transaction.atomic
def lex_maria_open(*, deviation: Deviation, decided_by, motivation: str) -> LexMariaCase:
    """Open the Lex Maria case of a "yes" decision on ``deviation``; a second call returns the same case.

    The route and the reporter come from the register on the event date (:func:`resolve_chain`); who
    decided is recorded as is. Where no reporter resolves, the case is marked "Ansvar oklart" and held
    by its fallback until the re-routing job finds the reporter.
    """
    existing = LexMariaCase.objects.filter(deviation_id=deviation.pk).first()
    if existing is not None:
        return existing
    if not (motivation or "").strip():
        raise ValidationError({"motivation": _("Give the motivation for the Lex Maria decision.")})
    chain = resolve_chain(deviation=deviation)
    now = timezone.now()
    case = LexMariaCase(
        deviation=deviation,
        reference=references.next_reference(
            ReferenceCounter, municipality_id=deviation.municipality_id, prefix="LM", year=timezone.localdate(now).year
        ),
        route=chain.route,
        state=State.DECIDED,
        board=chain.board,
        purchasing_board=chain.purchasing_board,
        reporter_person=chain.reporter,
        reporter_deputy_for=chain.reporter_deputy_for,
        board_mas=chain.board_mas,
        owner_unclear_reason=chain.unclear_reason,
        fallback_person=chain.fallback,
        decided_by=decided_by,
        decided_at=now,
        motivation=motivation.strip(),
    )
    case.due_at = next_due_at(case)
    case.full_clean(exclude=["deviation"])
    case.save()
    with translation.override(settings.LANGUAGE_CODE):
        notes = [case.motivation, _deputy_text(chain.reporter, chain.reporter_deputy_for), chain.unclear_reason]
    LexMariaTransition.objects.create(
        case=case, from_state="", to_state=State.DECIDED, actor=decided_by, reason=" ".join(n for n in notes if n)
    )
    notify_chain(case, done="open", actor_user=decided_by)
    return case


# --- the steps ---------------------------------------------------------------------


def _check_date(value: date | None, *, field: str, not_before: date | None) -> None:
    before = _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()} if not_before else ""
    entered_date(value, field, required_message=_("Enter the date."), not_before=not_before, before_message=before)


def _record(case: LexMariaCase, *, move: str, from_state: str, to_state: str, actor, reason: str) -> None:
    """The history row of a step, saying when the reporter acts as a deputy."""
    person = getattr(actor, "person", None) if hasattr(actor, "person") else None
    with translation.override(settings.LANGUAGE_CODE):
        deputy = (
            _deputy_text(person, case.reporter_deputy_for)
            if person is not None and person.pk == case.reporter_person_id
            else ""
        )
    LexMariaTransition.objects.create(
        case=case,
        step=move,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        reason=" ".join(p for p in (reason, deputy) if p),
    )


def _enter(case: LexMariaCase, now: datetime) -> list[str]:
    case.due_at = next_due_at(case)
    return ["due_at"]


# Every step may be taken in any state; what a step needs first is :data:`REQUIRES` (checked by
# :func:`refuse_unless_open`), the state shown is the milestone reached (:func:`milestone`).
TRANSITIONS: dict[str, Transition] = {step: Transition(tuple(State.values), None) for step in Step.values}

CASES = Machine(
    model=LexMariaCase,
    table=TRANSITIONS,
    state_labels=State,
    move_labels=Step,
    record=_record,
    enter=_enter,
    select_related=(
        "deviation__municipality",
        "reporter_person__user",
        "board_mas__user",
        "fallback_person__user",
        "reporter_deputy_for",
    ),
    touch=(),
    stale=lambda: _("Someone else changed the case while you were editing it. Check the case and try again."),
    replay_ok=True,
)


def _move(
    *,
    case: LexMariaCase,
    step: str,
    user,
    version: int | None,
    reason: str = "",
    apply: Callable[[LexMariaCase], list[str]],
    done: str | None = None,
    actors: tuple[str, ...] | None = None,
) -> LexMariaCase:
    """Take ``step`` on ``case`` as ``user`` through the one transition helper, then notify the chain."""

    def authorise(locked: LexMariaCase) -> None:
        allowed = actors if actors is not None else actors_for(case=locked, step=step)
        if not allowed:
            # The step is not part of this routing variant (e.g. forwarding outside the contractor route).
            raise LexMariaTransitionError(
                _("The step “%(step)s” is not part of this case's route.") % {"step": Step(step).label}
            )
        if not (actor_kinds(user=user, case=locked) & set(allowed)):
            raise PermissionDenied(_("You may not take this step on this Lex Maria case."))

    moved: list[bool] = []

    def applied(locked: LexMariaCase) -> list[str]:
        moved.append(True)
        fields = list(apply(locked))
        locked._not_applicable_cache = None
        if step == Step.CLOSE:
            locked.closed_at = timezone.now()
            fields.append("closed_at")
        return fields

    with transaction.atomic():
        locked = CASES.move(
            case,
            move=step,
            actor=user,
            version=version,
            reason=reason,
            apply=applied,
            authorise=authorise,
            done=lambda c: is_done(c, step),
            check=lambda c: refuse_unless_open(c, step),
            target=milestone,
        )
        if moved:  # not when the step was done already
            notify_chain(
                locked,
                done=done or step,
                actor_user=user,
                key=f"{NOT_APPLICABLE}:{step}" if done == NOT_APPLICABLE else None,
            )
    return locked


def lex_maria_inform_patient(
    *,
    case: LexMariaCase,
    user,
    version: int | None,
    informed_at: date | None,
    informed_by: str = "",
    not_informed_reason: str = "",
    patient_statement: str = "",
) -> LexMariaCase:
    """Record that the patient (or närstående) was informed, or why that was not possible."""
    informed_by, not_informed_reason = informed_by.strip(), not_informed_reason.strip()

    def apply(c: LexMariaCase) -> list[str]:
        if informed_at is not None or informed_by:
            if informed_at is None or not informed_by:
                raise ValidationError(_("Enter both when and by whom the patient was informed."))
            _check_date(informed_at, field="informed_at", not_before=event_date(c.deviation))
        elif not not_informed_reason:
            raise ValidationError(_("Enter when and by whom the patient was informed, or why it was not possible."))
        c.patient_informed_at = informed_at
        c.patient_informed_by = informed_by
        c.patient_not_informed_reason = not_informed_reason
        c.patient_statement = patient_statement.strip()
        return ["patient_informed_at", "patient_informed_by", "patient_not_informed_reason", "patient_statement"]

    return _move(
        case=case, step=Step.INFORM_PATIENT, user=user, version=version, apply=apply, reason=not_informed_reason
    )


@dataclass(frozen=True)
class AnalysisAction:
    description: str
    owner: Person
    deadline: date


def lex_maria_record_analysis(
    *,
    case: LexMariaCase,
    user,
    version: int | None,
    leader: Person,
    team: str,
    timeline: str,
    causes: str,
    actions: list[AnalysisAction],
    summary: str = "",
) -> LexMariaCase:
    """Record the event analysis (händelseanalys): leader, team, timeline, causes, actions with owners."""

    def apply(c: LexMariaCase) -> list[str]:
        errors = {}
        if leader is None:
            errors["leader"] = _("Choose the analysis leader.")
        elif leader.municipality_id != c.deviation.municipality_id:
            errors["leader"] = _("The analysis leader must be a person of the municipality.")
        for name, value in (("team", team), ("timeline", timeline), ("causes", causes)):
            if not value.strip():
                errors[name] = _("This field is required.")
        if not actions:
            errors["actions"] = _("Enter at least one action with an owner and a deadline.")
        if errors:
            raise ValidationError(errors)
        c.analysis_leader = leader
        c.analysis_team, c.analysis_timeline, c.analysis_causes = team.strip(), timeline.strip(), causes.strip()
        lines = [f"{a.description} – {a.owner.full_name} – {a.deadline.isoformat()}" for a in actions]
        c.analysis_actions = "\n".join(([summary.strip()] if summary.strip() else []) + lines)
        DeviationAction.objects.bulk_create(
            [
                DeviationAction(
                    deviation_id=c.deviation_id, description=a.description, owner=a.owner, deadline=a.deadline
                )
                for a in actions
            ]
        )
        c.analysed_at = timezone.localdate()
        return [
            "analysis_leader",
            "analysis_team",
            "analysis_timeline",
            "analysis_causes",
            "analysis_actions",
            "analysed_at",
        ]

    return _move(case=case, step=Step.ANALYSE, user=user, version=version, apply=apply)


def lex_maria_forward(*, case: LexMariaCase, user, version: int | None, forwarded_at: date | None) -> LexMariaCase:
    """The board's MAS forwards the contractor's case to the managing and purchasing boards."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(forwarded_at, field="forwarded_at", not_before=decided_on(c))
        c.forwarded_by_board_mas_at = forwarded_at
        return ["forwarded_by_board_mas_at"]

    return _move(case=case, step=Step.FORWARD, user=user, version=version, apply=apply)


def lex_maria_inform_board(*, case: LexMariaCase, user, version: int | None, informed_at: date | None) -> LexMariaCase:
    """Record the date the responsible board (and the purchasing board) was informed (any time after the decision)."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(informed_at, field="informed_at", not_before=c.forwarded_by_board_mas_at or decided_on(c))
        c.board_informed_at = informed_at
        return ["board_informed_at"]

    return _move(case=case, step=Step.INFORM_BOARD, user=user, version=version, apply=apply)


def lex_maria_report_to_ivo(
    *, case: LexMariaCase, user, version: int | None, sent_at: date | None, ivo_case_number: str
) -> LexMariaCase:
    """Record that the report was sent through IVO's e-service ("snarast": any time after the decision;
    the portal never sends it itself)."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(sent_at, field="sent_at", not_before=decided_on(c))
        if not ivo_case_number.strip():
            raise ValidationError({"ivo_case_number": _("Enter IVO's case number.")})
        c.ivo_sent_at = sent_at
        c.ivo_case_number = ivo_case_number.strip()
        return ["ivo_sent_at", "ivo_case_number"]

    return _move(case=case, step=Step.REPORT_TO_IVO, user=user, version=version, apply=apply)


def lex_maria_send_investigation(
    *, case: LexMariaCase, user, version: int | None, sent_at: date | None
) -> LexMariaCase:
    """Record the date the investigation was sent to IVO: with the report (same date) or as soon as possible after."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(sent_at, field="sent_at", not_before=c.ivo_sent_at or decided_on(c))
        c.investigation_sent_at = sent_at
        return ["investigation_sent_at"]

    return _move(case=case, step=Step.SEND_INVESTIGATION, user=user, version=version, apply=apply)


def lex_maria_mark_not_applicable(
    *, case: LexMariaCase, user, version: int | None, step: str, reason: str
) -> LexMariaCase:
    """Mark ``step`` not applicable on ``case``, with the reason (so the case can close without it)."""
    reason = (reason or "").strip()
    if step not in MAY_BE_NOT_APPLICABLE:
        raise ValidationError({"step": _("This step cannot be marked not applicable.")})
    if not reason:
        raise ValidationError({"reason": _("Give the reason the step does not apply.")})

    def apply(c: LexMariaCase) -> list[str]:
        LexMariaStepNotApplicable.objects.create(case=c, step=step, reason=reason, by=user, on=timezone.localdate())
        return []

    with translation.override(settings.LANGUAGE_CODE):
        text = _("Not applicable: %(step)s. %(reason)s") % {"step": Step(step).label, "reason": reason}
    # The anmälningsansvarig decides what applies; the board's MAS may for her own forwarding.
    actors = tuple(dict.fromkeys((Actor.REPORTER, *(actors_for(case=case, step=step) if step == Step.FORWARD else ()))))
    return _move(
        case=case, step=step, user=user, version=version, apply=apply, reason=text, done=NOT_APPLICABLE, actors=actors
    )


def lex_maria_record_ivo_decision(
    *, case: LexMariaCase, user, version: int | None, decided_at: date | None, outcome: str
) -> LexMariaCase:
    """Record IVO's decision (date and outcome)."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(decided_at, field="decided_at", not_before=c.ivo_sent_at)
        if not outcome.strip():
            raise ValidationError({"outcome": _("Enter IVO's outcome.")})
        c.ivo_decision_at = decided_at
        c.ivo_outcome = outcome.strip()
        return ["ivo_decision_at", "ivo_outcome"]

    return _move(case=case, step=Step.IVO_DECISION, user=user, version=version, apply=apply)


def lex_maria_close(*, case: LexMariaCase, user, version: int | None, reason: str = "") -> LexMariaCase:
    """Close the case once every step is done or marked not applicable."""
    return _move(case=case, step=Step.CLOSE, user=user, version=version, apply=lambda c: [], reason=reason.strip())


# The service of each step (the views look them up here).
STEP_SERVICES: dict[str, Callable[..., LexMariaCase]] = {
    Step.INFORM_PATIENT: lex_maria_inform_patient,
    Step.ANALYSE: lex_maria_record_analysis,
    Step.FORWARD: lex_maria_forward,
    Step.INFORM_BOARD: lex_maria_inform_board,
    Step.REPORT_TO_IVO: lex_maria_report_to_ivo,
    Step.SEND_INVESTIGATION: lex_maria_send_investigation,
    Step.IVO_DECISION: lex_maria_record_ivo_decision,
    NOT_APPLICABLE: lex_maria_mark_not_applicable,
    Step.CLOSE: lex_maria_close,
}


# --- re-routing ----------------------------------------------------------------------


def lex_maria_reroute(*, case: LexMariaCase) -> bool:
    """Give an open "Ansvar oklart" case to the reporter the register now resolves (or its new fallback).

    Run by the scheduled job once the register is corrected; writes a history row (by "Systemet") and
    tells both the one who held it and the one who gets it. Returns whether anything changed.
    """
    with transaction.atomic():
        locked = lock(
            LexMariaCase.objects.select_related(
                "deviation__municipality", "deviation__category", "fallback_person__user"
            ),
            case.pk,
        )
        if not locked.owner_unclear_reason or locked.state == State.CLOSED:
            return False
        chain = resolve_chain(deviation=locked.deviation)
        if chain.reporter is None and (chain.fallback.pk if chain.fallback else None) == locked.fallback_person_id:
            return False
        before = owner_users(locked)
        locked.route, locked.purchasing_board = chain.route, chain.purchasing_board
        locked.reporter_person, locked.reporter_deputy_for = chain.reporter, chain.reporter_deputy_for
        locked.board_mas = chain.board_mas
        locked.owner_unclear_reason, locked.fallback_person = chain.unclear_reason, chain.fallback
        locked.version += 1
        locked.due_at = next_due_at(locked)
        locked.save(
            update_fields=[
                "route",
                "purchasing_board",
                "reporter_person",
                "reporter_deputy_for",
                "board_mas",
                "owner_unclear_reason",
                "fallback_person",
                "version",
                "due_at",
            ]
        )
        with translation.override(settings.LANGUAGE_CODE):
            if chain.reporter is not None:
                reason = _("Routed by the register: %(person)s reports to IVO. %(detail)s") % {
                    "person": chain.reporter.full_name,
                    "detail": chain.reason,
                }
            else:
                reason = _("Still unclear; now held by %(person)s. %(detail)s") % {
                    "person": chain.fallback.full_name if chain.fallback else _("the register administrators"),
                    "detail": chain.unclear_reason,
                }
            subject = str(NOTIFY_SUBJECTS["rerouted"]) % {"reference": locked.reference}
        LexMariaTransition.objects.create(
            case=locked, step=REROUTED, from_state=locked.state, to_state=locked.state, actor=None, reason=reason
        )
        after = users_of(locked, (Actor.REPORTER,))
        notify(
            recipients={u.pk: u for u in [*before, *after]}.values(),
            kind="lex_maria",
            subject=subject,
            body=reason,
            link=locked.get_absolute_url(),
            dedupe_key=f"lexmaria:{locked.pk}:rerouted:{locked.version}",
        )
    return True
