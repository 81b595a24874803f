"""Reads of complaints and collaboration deviations: the only way views and commands get them.

Visibility follows deviations: a user sees what she registered, her units'
cases as enhetschef/verksamhetschef (a contractor's staff: their provider's
units only) and the cases routed to her as MAS/MAR. Board officials get
counts (:mod:`complaints.statistics`), never rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from complaints.choices import CollaborationState, ComplaintState, Direction
from complaints.models import CollaborationDeviation, Complaint, Counterpart
from complaints.permissions import collaboration_units, manager_unit_ids, person_id
from complaints.workflow import COLLABORATION_OPEN_STATES, COMPLAINT_OPEN_STATES
from responsibility.models import Board
from responsibility.tenancy import scoped


def complaints_visible_to(*, user) -> QuerySet[Complaint]:
    """Every complaint ``user`` may open."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    q = Q(registered_by=user) | Q(unit_id__in=manager_unit_ids(user))
    pid = person_id(user)
    if pid is not None:
        q |= Q(mas_person_id=pid)
    return scoped(Complaint.objects.all(), user).filter(q)


def complaint_queue(*, user) -> QuerySet[Complaint]:
    """The complaints queue of ``user`` with what each row shows (no patient data read)."""
    return (
        complaints_visible_to(user=user)
        .select_related("unit")
        .defer(
            "patient_identifier_encrypted",
            "patient_hash",
            "description",
            "investigation",
            "answer",
            "actions",
            "outcome_comment",
        )
    )


def is_overdue(case, *, now: datetime | None = None) -> bool:
    """Whether the case's next deadline has passed while it is still open."""
    open_states = COMPLAINT_OPEN_STATES if isinstance(case, Complaint) else COLLABORATION_OPEN_STATES
    return bool(case.due_at and case.state in open_states and case.due_at < (now or timezone.now()))


def complaint_overdue_q(*, now: datetime | None = None) -> Q:
    return Q(state__in=COMPLAINT_OPEN_STATES, due_at__lt=now or timezone.now())


def collaboration_overdue_q(*, now: datetime | None = None) -> Q:
    return Q(state__in=COLLABORATION_OPEN_STATES, due_at__lt=now or timezone.now())


def collaborations_visible_to(*, user) -> QuerySet[CollaborationDeviation]:
    """Collaboration deviations ``user`` may open: a MAS/MAR her scope's; a manager her units' (incoming once forwarded)."""
    if not user.is_authenticated:
        return CollaborationDeviation.objects.none()
    q = Q(registered_by=user) | Q(unit__in=collaboration_units(user).values("pk"))
    pid = person_id(user)
    if pid is not None:
        q |= Q(mas_person_id=pid)
    q |= Q(unit_id__in=manager_unit_ids(user)) & ~Q(direction=Direction.INCOMING, state=CollaborationState.REGISTERED)
    return scoped(CollaborationDeviation.objects.all(), user).filter(q)


def collaboration_list(*, user) -> QuerySet[CollaborationDeviation]:
    return collaborations_visible_to(user=user).select_related("unit", "counterpart", "category", "contract")


def counterparts_for(*, municipality_id: int | None) -> QuerySet[Counterpart]:
    if municipality_id is None:
        return Counterpart.objects.none()
    return Counterpart.objects.filter(municipality_id=municipality_id).order_by("name")


# --- command rows (interfaces: the issue names the fields) ---------------------------------------


@dataclass(frozen=True)
class ComplaintRow:
    reference: str
    unit: str
    state: str
    received: str
    answer_deadline: str
    overdue: bool

    def as_dict(self) -> dict:
        return asdict(self)


def complaints_for_board(*, board: Board | None, state: str, municipality_id: int | None = None) -> QuerySet[Complaint]:
    """Complaints of ``board``'s units (or of a municipality), open, closed or all, oldest deadline first."""
    qs = Complaint.objects.select_related("unit").defer("patient_identifier_encrypted", "patient_hash")
    if board is not None:
        qs = qs.filter(unit__board=board)
    elif municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if state == "open":
        qs = qs.filter(state__in=COMPLAINT_OPEN_STATES)
    elif state == "closed":
        qs = qs.filter(state=ComplaintState.CLOSED)
    return qs.order_by("answer_due", "reference")


def complaint_row(complaint: Complaint, *, now: datetime | None = None) -> ComplaintRow:
    return ComplaintRow(
        reference=complaint.reference,
        unit=complaint.unit.name,
        state=complaint.state,
        received=complaint.received_on.isoformat(),
        answer_deadline=complaint.answer_due.isoformat(),
        overdue=is_overdue(complaint, now=now),
    )


@dataclass(frozen=True)
class CollaborationRow:
    reference: str
    counterpart: str
    direction: str
    state: str
    sent: str | None
    received: str | None
    reply_deadline: str | None
    overdue: bool

    def as_dict(self) -> dict:
        return asdict(self)


def collaborations_for(
    *, counterpart: Counterpart | None, direction: str, municipality_id: int | None = None
) -> QuerySet[CollaborationDeviation]:
    qs = CollaborationDeviation.objects.select_related("counterpart")
    if counterpart is not None:
        qs = qs.filter(counterpart=counterpart)
    elif municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    if direction in Direction.values:
        qs = qs.filter(direction=direction)
    return qs.order_by("reference")


def collaboration_row(case: CollaborationDeviation, *, now: datetime | None = None) -> CollaborationRow:
    def iso(value: date | None) -> str | None:
        return value.isoformat() if value else None

    return CollaborationRow(
        reference=case.reference,
        counterpart=case.counterpart.code,
        direction=case.direction,
        state=case.state,
        sent=iso(case.sent_on),
        received=iso(case.received_on),
        reply_deadline=iso(case.reply_due),
        overdue=is_overdue(case, now=now),
    )
