"""The two workflows of SPEC §6a: one table of moves each, their open states and their next deadline.

:data:`COMPLAINTS` and :data:`COLLABORATIONS` are the machines (:class:`core.transitions.Machine`)
that every move and edit of a complaint or a collaboration deviation goes through.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy

from complaints import deadlines
from complaints.choices import CollaborationState, ComplaintState, Direction
from complaints.models import CollaborationDeviation, CollaborationTransition, Complaint, ComplaintTransition
from complaints.permissions import Actor, collaboration_kinds, complaint_kinds
from core.transitions import Machine, Transition, deadline_and_closing, transition_row

CS = ComplaintState
VS = CollaborationState


# --- complaints ---------------------------------------------------------------------------------


class ComplaintMove(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", gettext_lazy("Confirm receipt")
    START_INVESTIGATION = "start_investigation", gettext_lazy("Start the investigation")
    ANSWER = "answer", gettext_lazy("Record the answer")
    REOPEN = "reopen", gettext_lazy("Reopen the investigation")
    CLOSE = "close", gettext_lazy("Close with outcome")


HANDLERS = (Actor.MANAGER, Actor.DUTY)
COMPLAINT_TRANSITIONS: dict[str, Transition] = {
    ComplaintMove.ACKNOWLEDGE: Transition((CS.REGISTERED,), CS.ACKNOWLEDGED, HANDLERS),
    ComplaintMove.START_INVESTIGATION: Transition((CS.REGISTERED, CS.ACKNOWLEDGED), CS.INVESTIGATING, HANDLERS),
    ComplaintMove.ANSWER: Transition((CS.REGISTERED, CS.ACKNOWLEDGED, CS.INVESTIGATING), CS.ANSWERED, HANDLERS),
    ComplaintMove.REOPEN: Transition((CS.ANSWERED,), CS.INVESTIGATING, HANDLERS),
    ComplaintMove.CLOSE: Transition((CS.ANSWERED,), CS.CLOSED, HANDLERS),
}
COMPLAINT_OPEN_STATES = (CS.REGISTERED, CS.ACKNOWLEDGED, CS.INVESTIGATING, CS.ANSWERED)
COMPLAINT_EDIT_STATES = (CS.REGISTERED, CS.ACKNOWLEDGED, CS.INVESTIGATING)


def complaint_due(complaint: Complaint) -> datetime | None:
    """The next deadline: confirm receipt (or answer, if earlier) while registered; answer until answered."""
    if complaint.state == CS.REGISTERED:
        return deadlines.end_of_day(min(complaint.acknowledge_due, complaint.answer_due))
    if complaint.state in (CS.ACKNOWLEDGED, CS.INVESTIGATING):
        return deadlines.end_of_day(complaint.answer_due)
    return None


COMPLAINTS = Machine(
    model=Complaint,
    table=COMPLAINT_TRANSITIONS,
    state_labels=ComplaintState,
    move_labels=ComplaintMove,
    kinds=lambda *, user, obj: complaint_kinds(user=user, case=obj),
    record=transition_row(ComplaintTransition, "complaint"),
    enter=deadline_and_closing(lambda c, now: complaint_due(c), (CS.CLOSED,)),
    select_related=("municipality", "unit"),
)


# --- collaboration deviations -------------------------------------------------------------------


class CollaborationMove(models.TextChoices):
    SEND = "send", gettext_lazy("Send to the counterpart")
    RECORD_REPLY = "record_reply", gettext_lazy("Register the counterpart's reply")
    FORWARD = "forward", gettext_lazy("Forward to the unit's verksamhetschef")
    ANSWER = "answer", gettext_lazy("Write the unit's answer")
    CLOSE = "close", gettext_lazy("Assess and close")


OUT, IN = (Direction.OUTGOING,), (Direction.INCOMING,)
COLLABORATION_TRANSITIONS: dict[str, Transition] = {
    CollaborationMove.SEND: Transition((VS.REGISTERED,), VS.SENT, (Actor.DUTY,), OUT),
    CollaborationMove.RECORD_REPLY: Transition((VS.SENT,), VS.REPLIED, (Actor.DUTY,), OUT),
    CollaborationMove.FORWARD: Transition((VS.REGISTERED,), VS.FORWARDED, (Actor.DUTY,), IN),
    CollaborationMove.ANSWER: Transition((VS.FORWARDED,), VS.REPLIED, (Actor.MANAGER, Actor.DUTY), IN),
    CollaborationMove.CLOSE: Transition((VS.REPLIED,), VS.CLOSED, (Actor.DUTY,)),
}
COLLABORATION_OPEN_STATES = (VS.REGISTERED, VS.SENT, VS.FORWARDED, VS.REPLIED)


def collaboration_due(case: CollaborationDeviation) -> datetime | None:
    """The next deadline: the counterpart's reply (outgoing, while sent); our answer (incoming, until closed)."""
    if case.reply_due is None:
        return None
    if case.direction == Direction.OUTGOING and case.state == VS.SENT:
        return deadlines.end_of_day(case.reply_due)
    if case.direction == Direction.INCOMING and case.state in (VS.REGISTERED, VS.FORWARDED, VS.REPLIED):
        return deadlines.end_of_day(case.reply_due)
    return None


COLLABORATIONS = Machine(
    model=CollaborationDeviation,
    table=COLLABORATION_TRANSITIONS,
    state_labels=CollaborationState,
    move_labels=CollaborationMove,
    kinds=lambda *, user, obj: collaboration_kinds(user=user, case=obj),
    record=transition_row(CollaborationTransition, "deviation"),
    enter=deadline_and_closing(lambda c, now: collaboration_due(c), (VS.CLOSED,)),
    select_related=("municipality", "unit", "counterpart"),
)
