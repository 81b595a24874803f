"""Reads of Lex Maria cases: who may see which case, the queue rows (never patient identity)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from incidents.lexmaria.services import OPEN_STATES, Actor, Step, actors_for, next_step
from incidents.models import LexMariaCase, LexMariaState
from responsibility.choices import Role
from responsibility.models import Board
from responsibility.permissions import is_register_admin, units_visible_to, user_scope

# Roles whose provider scope shows that provider's cases (the contractor's or provider's own MAS).
PROVIDER_CASE_ROLES = (Role.MAS, Role.MAR, Role.LEX_MARIA_REPORTER)


def lex_maria_cases_visible_to(*, user, on: date | None = None) -> QuerySet[LexMariaCase]:
    """Cases ``user`` may see: their boards' (board official), where they act, their provider's, their units'."""
    if not user.is_authenticated:
        return LexMariaCase.objects.none()
    if is_register_admin(user):
        return LexMariaCase.objects.all()
    scope = user_scope(user, on=on)
    q = Q(reporter_person__user=user) | Q(board_mas__user=user) | Q(fallback_person__user=user)
    official = scope.by_role.get(Role.BOARD_OFFICIAL)
    if official is not None:
        boards = list(official.board_ids)
        regions = list(official.region_ids)
        q |= Q(board_id__in=boards) | Q(purchasing_board_id__in=boards)
        if regions:
            q |= Q(board__region_id__in=regions) | Q(purchasing_board__region_id__in=regions)
    provider_ids = set()
    for role in PROVIDER_CASE_ROLES:
        if role in scope.by_role:
            provider_ids |= scope.by_role[role].provider_ids
    if provider_ids:
        q |= Q(deviation__unit__provider_id__in=sorted(provider_ids))
    if Role.OPERATIONS_MANAGER in scope.by_role:
        q |= Q(deviation__unit__in=units_visible_to(user, on=on, roles=(Role.OPERATIONS_MANAGER,)).values("pk"))
    return LexMariaCase.objects.filter(q)


def open_cases(qs: QuerySet[LexMariaCase]) -> QuerySet[LexMariaCase]:
    """Open cases with what a queue row shows, next deadline first."""
    return (
        qs.filter(state__in=OPEN_STATES)
        .select_related("deviation__unit", "deviation__municipality", "board", "purchasing_board",
                        "reporter_person", "board_mas", "fallback_person")
        .prefetch_related("not_applicable")
        .defer("motivation", "patient_statement", "analysis_team", "analysis_timeline", "analysis_causes",
               "analysis_actions", "deviation__description", "deviation__immediate_actions",
               "deviation__patient_identifier_encrypted", "deviation__cause_analysis", "deviation__assessment")
        .order_by(F("due_at").asc(nulls_last=True), "decided_at", "pk")
    )


def board_open_cases(*, board: Board) -> QuerySet[LexMariaCase]:
    """Open cases concerning ``board``'s units (as responsible or purchasing board)."""
    return open_cases(LexMariaCase.objects.filter(Q(board=board) | Q(purchasing_board=board)))


@dataclass(frozen=True)
class QueueRow:
    """One case as the queue and the command show it."""

    case: LexMariaCase
    reference: str
    unit: str
    board: str
    state: str
    state_label: str
    age_days: int
    next_deadline: date | None
    overdue: bool
    next_step: str | None
    movers: tuple[tuple[str, str | None], ...]
    owner_unclear: bool = False

    @property
    def whose_move(self) -> str:
        """'<step>: <part> (<name>) / …' for people to read."""
        if self.next_step is None:
            return ""
        parts = [f"{Actor(a).label} ({name})" if name else str(Actor(a).label) for a, name in self.movers]
        return f"{Step(self.next_step).label}: " + " / ".join(parts)

    def as_dict(self) -> dict:
        return {
            "reference": self.reference,
            "unit": self.unit,
            "board": self.board,
            "state": self.state,
            "age_days": self.age_days,
            "next_deadline": self.next_deadline.isoformat() if self.next_deadline else None,
            "overdue": self.overdue,
            "next_step": self.next_step,
            "whose_move": [{"part": actor, "person": name} for actor, name in self.movers],
            "owner_unclear": self.owner_unclear,
        }


def movers(case: LexMariaCase, step: str | None) -> tuple[tuple[str, str | None], ...]:
    """Who takes ``step``: each part of the chain with the stored person's name, where there is one."""
    if step is None:
        return ()
    result = []
    for actor in actors_for(case=case, step=step):
        person = {Actor.REPORTER: case.reporter_person or case.fallback_person,
                  Actor.BOARD_MAS: case.board_mas}.get(actor)
        result.append((str(actor), person.full_name if person is not None else None))
    return tuple(result)


def queue_row(case: LexMariaCase, *, today: date | None = None) -> QueueRow:
    today = today or timezone.localdate()
    step = next_step(case)
    deadline = timezone.localdate(case.due_at) if case.due_at else None
    boards = [case.board.name] + ([case.purchasing_board.name] if case.purchasing_board_id
                                  and case.purchasing_board_id != case.board_id else [])
    return QueueRow(
        case=case,
        reference=case.reference,
        unit=case.deviation.unit.name,
        board=" / ".join(boards),
        state=case.state,
        state_label=str(LexMariaState(case.state).label),
        age_days=(today - timezone.localdate(case.decided_at)).days,
        next_deadline=deadline,
        overdue=deadline is not None and deadline < today,
        next_step=str(step) if step else None,
        movers=movers(case, step),
        owner_unclear=bool(case.owner_unclear_reason),
    )
