"""The deviation workflow (SPEC §4): the one table of moves, the open states, each state's deadline.

:data:`TRANSITIONS` says which move takes a deviation from which states to which state and who may
make it; :data:`DEVIATIONS` enforces it through the one transition helper (:mod:`core.transitions`:
row lock, actor, version, table) and records actor, time and reason in :class:`DeviationTransition`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.calendar import add_working_days_at
from core.transitions import Machine, StaleError, Transition, TransitionError
from incidents import routing
from incidents.models import Deviation, DeviationAction, DeviationState, DeviationTransition
from incidents.permissions import Actor, actor_kinds
from responsibility.tenancy import person_of

State = DeviationState


class Move(models.TextChoices):
    """A move a user makes on a deviation."""

    SUBMIT = "submit", gettext_lazy("Submit")
    START_INVESTIGATION = "start_investigation", gettext_lazy("Start the investigation")
    SEND_TO_MAS = "send_to_mas", gettext_lazy("Send to MAS assessment")
    COMPLETE_INVESTIGATION = "complete_investigation", gettext_lazy("Complete the investigation (no MAS assessment)")
    ASSESS = "assess", gettext_lazy("Record the MAS assessment")
    RETURN = "return_to_investigation", gettext_lazy("Return for further investigation")
    CLOSE = "close", gettext_lazy("Close with feedback to the reporter")
    REJECT = "reject", gettext_lazy("Reject (not a deviation)")
    HAND_BACK = "hand_back", gettext_lazy("Hand back to the person I deputise for")
    FAST_TRACK = "fast_track", gettext_lazy("Take into MAS/MAR assessment now (the investigation continues)")


# THE table of moves.
TRANSITIONS: dict[str, Transition] = {
    Move.SUBMIT: Transition((State.DRAFT,), State.REGISTERED, (Actor.REPORTER,)),
    Move.START_INVESTIGATION: Transition((State.REGISTERED,), State.INVESTIGATING, (Actor.MANAGER,)),
    Move.SEND_TO_MAS: Transition((State.REGISTERED, State.INVESTIGATING), State.AWAITING_MAS, (Actor.MANAGER,)),
    Move.COMPLETE_INVESTIGATION: Transition((State.INVESTIGATING,), State.ACTIONS, (Actor.MANAGER,)),
    Move.ASSESS: Transition((State.AWAITING_MAS,), State.ACTIONS, (Actor.DUTY,)),
    Move.RETURN: Transition((State.AWAITING_MAS,), State.INVESTIGATING, (Actor.DUTY,)),
    Move.CLOSE: Transition((State.ACTIONS,), State.CLOSED, (Actor.MANAGER, Actor.DUTY)),
    Move.REJECT: Transition(
        (State.REGISTERED, State.INVESTIGATING, State.AWAITING_MAS), State.REJECTED, (Actor.MANAGER, Actor.DUTY)
    ),
    # A deputy keeps a case resolved to her until it is done or she hands it back (SPEC §3 Deputies).
    Move.HAND_BACK: Transition((State.AWAITING_MAS,), State.AWAITING_MAS, (Actor.DUTY,)),
    # SPEC §4 fast-track: the responsible MAS/MAR takes a high-risk deviation at once (Lex Maria: "snarast").
    Move.FAST_TRACK: Transition((State.REGISTERED, State.INVESTIGATING), State.AWAITING_MAS, (Actor.DUTY,)),
}

OPEN_STATES = (State.REGISTERED, State.INVESTIGATING, State.AWAITING_MAS, State.ACTIONS)
# Where the investigation (investigator, causes, actions, lessons) may still be edited.
INVESTIGATION_STATES = (State.REGISTERED, State.INVESTIGATING, State.AWAITING_MAS, State.ACTIONS)


# The errors of the one transition helper, under the names the deviation code has used.
DeviationTransitionError = TransitionError
StaleDeviationError = StaleError


def moves_for(*, user, deviation: Deviation, kinds: frozenset[str] | None = None) -> list[str]:
    """The moves ``user`` may make on ``deviation`` now (for showing buttons)."""
    kinds = actor_kinds(user=user, deviation=deviation) if kinds is None else kinds
    return [
        move
        for move, t in TRANSITIONS.items()
        if deviation.state in t.sources
        and kinds & set(t.actors)
        and move != Move.SUBMIT
        and (
            move != Move.HAND_BACK
            or (deviation.mas_deputy_for_id is not None and deviation.mas_person_id == person_id_of(user))
        )
        and (move != Move.FAST_TRACK or routing.is_high_risk(deviation))
    ]


def person_id_of(user) -> int | None:
    """The id of the person of ``user``, or None."""
    person = person_of(user)
    return person.pk if person is not None else None


def due_for(*, deviation: Deviation, state: str, now: datetime) -> datetime | None:
    """The deadline of ``state``, from the municipality's settings."""
    municipality = deviation.municipality
    if state in (State.REGISTERED, State.INVESTIGATING):
        start = deviation.reported_at or now
        return start + timedelta(days=municipality.investigation_days)
    if state == State.AWAITING_MAS:
        return add_working_days_at(now, municipality.mas_assessment_working_days, municipality=municipality)
    if state == State.ACTIONS:
        deadline = (
            DeviationAction.objects.filter(deviation=deviation, done_at__isnull=True)
            .order_by("-deadline")
            .values_list("deadline", flat=True)
            .first()
        )
        if deadline is None:
            return None
        return timezone.make_aware(datetime.combine(deadline, datetime.max.time().replace(microsecond=0)))
    return None


def stale_message() -> str:
    """What a user is told when someone else changed the deviation first."""
    return _(
        "Someone else changed this deviation while you were working on it. "
        "Reload the page to see the change, then try again."
    )


def _record(deviation: Deviation, *, move: str, from_state: str, to_state: str, actor, reason: str) -> None:
    DeviationTransition.objects.create(
        deviation=deviation, from_state=from_state, to_state=to_state, actor=actor, reason=reason
    )


def _enter(deviation: Deviation, now: datetime) -> list[str]:
    deviation.due_at = due_for(deviation=deviation, state=deviation.state, now=now)
    if deviation.state in (State.CLOSED, State.REJECTED):
        deviation.closed_at = now
        return ["due_at", "closed_at"]
    return ["due_at"]


DEVIATIONS = Machine(
    model=Deviation,
    table=TRANSITIONS,
    state_labels=State,
    move_labels=Move,
    kinds=lambda *, user, obj: actor_kinds(user=user, deviation=obj),
    record=_record,
    enter=_enter,
    select_related=("municipality", "unit", "category"),
    refused=lambda move, state: (
        _("“%(move)s” is not possible when the deviation is “%(state)s”.") % {"move": move, "state": state}
    ),
    denied=lambda: _("You may not do this on this deviation."),
    stale=stale_message,
)
