"""Reads of Lex Maria cases: who may see which case, the queue rows (never patient identity)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy

from incidents.lexmaria.models import LexMariaCase, LexMariaState
from incidents.lexmaria.services import OPEN_STATES
from incidents.lexmaria.steps import Actor, Step, actors_for, next_step
from responsibility.choices import LexMariaRoute, Role
from responsibility.models import Assignment, Board
from responsibility.permissions import is_register_admin, units_visible_to, user_scope
from responsibility.tenancy import person_of, scoped

# Roles whose provider scope shows that provider's cases (the contractor's or provider's own MAS).
PROVIDER_CASE_ROLES = (Role.MAS, Role.MAR, Role.LEX_MARIA_REPORTER)


def lex_maria_cases_visible_to(*, user, on: date | None = None) -> QuerySet[LexMariaCase]:
    """Cases ``user`` may see: their boards' (board official), where they act, their provider's, their units'."""
    if not user.is_authenticated:
        return LexMariaCase.objects.none()
    # Scoped by the responsible board's municipality (the deviation's, by the register): PostgreSQL then starts
    # from the municipality's boards and their cases by the board index, rather than from every deviation of
    # the municipality (bench, 1M, the MAS's cases by step: 119 ms → 1 ms).
    cases = scoped(LexMariaCase.objects.all(), user, "board__municipality")
    if is_register_admin(user):
        return cases
    scope = user_scope(user, on=on)
    # The login's person as a literal id on the case's own (indexed) columns, not a join to each person's login:
    # PostgreSQL cannot use an index for an OR across joined tables (bench, 1M: 61 ms).
    person = person_of(user)
    q = Q(pk__in=[])
    if person is not None:
        q = Q(reporter_person_id=person.pk) | Q(board_mas_id=person.pk) | Q(fallback_person_id=person.pk)
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
    return cases.filter(q)


def _queue_rows(qs: QuerySet[LexMariaCase]) -> QuerySet[LexMariaCase]:
    return (
        qs.select_related(
            "deviation__unit",
            "deviation__municipality",
            "deviation__operations_manager",
            "board",
            "purchasing_board",
            "reporter_person",
            "board_mas",
            "fallback_person",
        )
        .prefetch_related("not_applicable")
        .defer(
            "motivation",
            "patient_statement",
            "analysis_team",
            "analysis_timeline",
            "analysis_causes",
            "analysis_actions",
            "deviation__description",
            "deviation__immediate_actions",
            "deviation__patient_identifier_encrypted",
            "deviation__cause_analysis",
            "deviation__assessment",
        )
    )


def open_cases(qs: QuerySet[LexMariaCase]) -> QuerySet[LexMariaCase]:
    """Open cases with what a queue row shows, next deadline first."""
    return _queue_rows(qs.filter(state__in=OPEN_STATES)).order_by(F("due_at").asc(nulls_last=True), "decided_at", "pk")


# The queue's state filter ("open", "closed", "all" or one state) and its sort orders.
STATE_FILTERS = ("open", "closed", "all")
_STEP_ORDER = Case(
    *(When(state=value, then=Value(i)) for i, value in enumerate(LexMariaState.values)), output_field=IntegerField()
)
SORTS: dict[str, tuple[str, tuple]] = {
    "deadline": (gettext_lazy("Next deadline"), (F("due_at").asc(nulls_last=True), "decided_at", "pk")),
    "age": (gettext_lazy("Oldest first"), ("decided_at", "pk")),
    "-age": (gettext_lazy("Newest first"), ("-decided_at", "-pk")),
    "step": (gettext_lazy("Step"), (_STEP_ORDER, F("due_at").asc(nulls_last=True), "pk")),
}


def queue_cases(qs: QuerySet[LexMariaCase], *, state: str = "open", sort: str = "deadline") -> QuerySet[LexMariaCase]:
    """The queue: open, closed or all cases (or one state), sorted by deadline, age or step."""
    if state in ("", "open"):
        qs = qs.filter(state__in=OPEN_STATES)
    elif state in LexMariaState.values:
        qs = qs.filter(state=state)
    elif state != "all":
        qs = qs.filter(state__in=OPEN_STATES)
    return _queue_rows(qs).order_by(*SORTS.get(sort, SORTS["deadline"])[1])


# The route of a case in a few words (the full text is the route's label, SPEC §5 variant table).
ROUTE_SHORT = {
    LexMariaRoute.OWN: gettext_lazy("Own operation: the board's MAS reports"),
    LexMariaRoute.CONTRACTOR_VIA_BOARD_MAS: gettext_lazy("Entreprenad: the contractor's MAS reports"),
    LexMariaRoute.BOARD_MAS: gettext_lazy("Entreprenad: the board's MAS reports"),
    LexMariaRoute.PROVIDER_MAS: gettext_lazy("Private provider (vårdgivare): the provider's MAS reports"),
}


def board_role(case: LexMariaCase) -> str:
    """ "informed" where another vårdgivare reports and the board is only informed (private provider under
    ramavtal/LOV, SPEC §5); "responsible" where the case is the board's own business (egen regi, entreprenad)."""
    return "informed" if case.route == LexMariaRoute.PROVIDER_MAS else "responsible"


def board_officials(cases) -> dict[int, tuple[str, ...]]:
    """The names of the board officials of the cases' boards today, by board id (one query)."""
    board_ids = {c.board_id for c in cases} | {c.purchasing_board_id for c in cases if c.purchasing_board_id}
    if not board_ids:
        return {}
    today = timezone.localdate()
    names: dict[int, list[str]] = {}
    rows = (
        Assignment.objects.filter(role=Role.BOARD_OFFICIAL, board_id__in=sorted(board_ids), valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("person")
        .only("board_id", "person__first_name", "person__last_name")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    for a in rows:
        names.setdefault(a.board_id, []).append(a.person.full_name)
    return {k: tuple(dict.fromkeys(v)) for k, v in names.items()}


def board_open_cases(*, board: Board) -> QuerySet[LexMariaCase]:
    """Open cases concerning ``board``'s units (as responsible or purchasing board)."""
    return open_cases(LexMariaCase.objects.filter(Q(board=board) | Q(purchasing_board=board)))


def board_cases(*, board: Board, state: str = "open") -> QuerySet[LexMariaCase]:
    """Open, closed or all cases concerning ``board``'s units, next deadline first."""
    return queue_cases(LexMariaCase.objects.filter(Q(board=board) | Q(purchasing_board=board)), state=state)


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
    route: str = ""
    board_role: str = "responsible"

    @property
    def route_label(self) -> str:
        return str(ROUTE_SHORT.get(self.route, "")) if self.route else ""

    @property
    def informed_only(self) -> bool:
        return self.board_role == "informed"

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
            "route": self.route,
            "board_role": self.board_role,
        }


def movers(
    case: LexMariaCase, step: str | None, officials: dict[int, tuple[str, ...]] | None = None
) -> tuple[tuple[str, str | None], ...]:
    """Who takes ``step``: each part of the chain with the stored person's name (the verksamhetschef routed
    with the deviation; the board officials of the case's boards, from :func:`board_officials`)."""
    if step is None:
        return ()
    result = []
    for actor in actors_for(case=case, step=step):
        if actor == Actor.BOARD_OFFICIAL:
            names = [n for b in (case.board_id, case.purchasing_board_id) if b for n in (officials or {}).get(b, ())]
            result.append((str(actor), ", ".join(dict.fromkeys(names)) or None))
            continue
        person = {
            Actor.REPORTER: case.reporter_person or case.fallback_person,
            Actor.BOARD_MAS: case.board_mas,
            Actor.OPERATIONS_MANAGER: case.deviation.operations_manager,
        }.get(actor)
        result.append((str(actor), person.full_name if person is not None else None))
    return tuple(result)


def queue_row(
    case: LexMariaCase, *, today: date | None = None, officials: dict[int, tuple[str, ...]] | None = None
) -> QueueRow:
    today = today or timezone.localdate()
    step = next_step(case)
    deadline = timezone.localdate(case.due_at) if case.due_at else None
    boards = [case.board.name] + (
        [case.purchasing_board.name] if case.purchasing_board_id and case.purchasing_board_id != case.board_id else []
    )
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
        movers=movers(case, step, officials),
        owner_unclear=bool(case.owner_unclear_reason),
        route=case.route,
        board_role=board_role(case),
    )
