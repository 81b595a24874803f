"""Lex Maria cases (SPEC §5): open a case on a "yes", route it by the register, move it step by step.

One table (:data:`TRANSITIONS`) says which step moves a case from which state
to which; :data:`STEP_ACTORS` says who may take each step in each routing
variant; :func:`_move` enforces both through the one transition helper
(:mod:`core.transitions`: row lock, actor, version) and records actor, time and reason.

The route and every person in the chain are resolved from the register on the
date of the event (never today's date), through :mod:`responsibility.resolver`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import references
from core.services import notify
from core.transitions import Machine, StaleError, Transition, TransitionError, lock
from incidents.lexmaria.models import LexMariaCase, LexMariaState, LexMariaStepNotApplicable, LexMariaTransition
from incidents.models import Deviation, DeviationAction, ReferenceCounter
from incidents.routing import RoutingIndex, fallback_owner, gap_reason, lookups_for
from responsibility.choices import LexMariaRoute, Role, Scope
from responsibility.models import Assignment, Board, Person, Unit
from responsibility.permissions import register_admin_users
from responsibility.resolver import Resolution, duty_resolution, responsible_for
from responsibility.tenancy import person_of

State = LexMariaState
Route = LexMariaRoute


class Step(models.TextChoices):
    """A step a user takes on a case after the decision (SPEC §5)."""

    INFORM_PATIENT = "inform_patient", gettext_lazy("Patient informed")
    ANALYSE = "analyse", gettext_lazy("Event analysis")
    FORWARD = "forward", gettext_lazy("Forwarded by the board's MAS")
    INFORM_BOARD = "inform_board", gettext_lazy("Board informed")
    REPORT_TO_IVO = "report_to_ivo", gettext_lazy("Reported to IVO")
    SEND_INVESTIGATION = "send_investigation", gettext_lazy("Investigation sent to IVO")
    IVO_DECISION = "ivo_decision", gettext_lazy("IVO decision received")
    CLOSE = "close", gettext_lazy("Closed")


# A step that marks another step not applicable (with a reason); not itself a step of the case.
NOT_APPLICABLE = "not_applicable"
# The history row of the re-routing job (SPEC §3 "No case without an owner").
REROUTED = "rerouted"


class Actor(models.TextChoices):
    """Whose move a step is, as a part in the case's chain."""

    REPORTER = "reporter", gettext_lazy("Appointed Lex Maria reporter")
    BOARD_MAS = "board_mas", gettext_lazy("The board's MAS")
    OPERATIONS_MANAGER = "operations_manager", gettext_lazy("Operations manager")
    BOARD_OFFICIAL = "board_official", gettext_lazy("Board official")


# THE table of steps: which steps must be done (or not applicable) before a step can be taken.
# Not a line (PSL 3 kap. 5 § "snarast", SPEC §5): after the decision the IVO report, the patient,
# the analysis and the board can be taken in any order; the investigation goes to IVO once it exists
# and the report is made (the same day when sent with it); IVO decides on a reported case.
REQUIRES: dict[str, tuple[str, ...]] = {
    Step.INFORM_PATIENT: (),
    Step.ANALYSE: (),
    Step.FORWARD: (),
    Step.INFORM_BOARD: (),
    Step.REPORT_TO_IVO: (),
    Step.SEND_INVESTIGATION: (Step.ANALYSE, Step.REPORT_TO_IVO),
    Step.IVO_DECISION: (Step.REPORT_TO_IVO,),
}
# In the contractor route the boards are informed through the board's MAS, who forwards first.
ROUTE_REQUIRES: dict[str, dict[str, tuple[str, ...]]] = {
    Route.CONTRACTOR_VIA_BOARD_MAS: {Step.INFORM_BOARD: (Step.FORWARD,)},
}
# Steps that may be marked not applicable with a reason. The report to IVO is the duty the decision
# creates and the event analysis is required (HSLF-FS 2017:40), so neither can; a patient who cannot
# be informed is recorded on the patient step itself (with the reason).
MAY_BE_NOT_APPLICABLE = (Step.FORWARD, Step.INFORM_BOARD, Step.SEND_INVESTIGATION, Step.IVO_DECISION)

# The milestone shown as the case's state: the furthest one reached, in this order.
MILESTONES: tuple[tuple[str, str], ...] = (
    (Step.IVO_DECISION, State.IVO_DECIDED),
    (Step.REPORT_TO_IVO, State.REPORTED),
    (Step.INFORM_BOARD, State.BOARD_INFORMED),
    (Step.ANALYSE, State.ANALYSED),
    (Step.INFORM_PATIENT, State.PATIENT_INFORMED),
)

# Who may take each step (SPEC §5 variant table). The default applies to every
# route unless the route has its own entry.
STEP_ACTORS: dict[str, dict[str | None, tuple[str, ...]]] = {
    Step.INFORM_PATIENT: {None: (Actor.REPORTER, Actor.OPERATIONS_MANAGER)},
    Step.ANALYSE: {None: (Actor.OPERATIONS_MANAGER, Actor.REPORTER)},
    Step.FORWARD: {Route.CONTRACTOR_VIA_BOARD_MAS: (Actor.BOARD_MAS,)},
    Step.INFORM_BOARD: {
        None: (Actor.REPORTER, Actor.BOARD_OFFICIAL),
        # The contractor's MAS informs the boards only through the board's MAS.
        Route.CONTRACTOR_VIA_BOARD_MAS: (Actor.BOARD_MAS, Actor.BOARD_OFFICIAL),
    },
    Step.REPORT_TO_IVO: {None: (Actor.REPORTER,)},
    Step.SEND_INVESTIGATION: {None: (Actor.REPORTER,)},
    Step.IVO_DECISION: {None: (Actor.REPORTER,)},
    Step.CLOSE: {None: (Actor.REPORTER,)},
}

# Who is told (besides whoever takes the next step) once a step is done.
INFORMED_AFTER: dict[str, tuple[str, ...]] = {
    "open": (Actor.BOARD_MAS,),
    "rerouted": (Actor.BOARD_MAS,),
    Step.INFORM_PATIENT: (),
    Step.ANALYSE: (),
    Step.FORWARD: (Actor.REPORTER,),
    Step.INFORM_BOARD: (Actor.BOARD_MAS,),
    Step.REPORT_TO_IVO: (Actor.BOARD_OFFICIAL, Actor.BOARD_MAS),
    Step.SEND_INVESTIGATION: (Actor.BOARD_MAS,),
    Step.IVO_DECISION: (Actor.BOARD_OFFICIAL, Actor.BOARD_MAS),
    Step.CLOSE: (Actor.BOARD_OFFICIAL, Actor.BOARD_MAS, Actor.OPERATIONS_MANAGER),
    NOT_APPLICABLE: (),
}

# Days allowed for each step, counted from the day it became possible: the municipality's fields
# (configurable per municipality, SPEC §5). IVO's decision runs on IVO's clock, not ours.
STEP_DAYS_FIELDS: dict[str, str | None] = {
    Step.INFORM_PATIENT: "lex_maria_patient_days",
    Step.ANALYSE: "lex_maria_analysis_days",
    Step.FORWARD: "lex_maria_forward_days",
    Step.INFORM_BOARD: "lex_maria_board_days",
    Step.REPORT_TO_IVO: "lex_maria_report_days",  # "snarast" (PSL 3 kap. 5 §)
    Step.SEND_INVESTIGATION: "lex_maria_investigation_days",
    Step.IVO_DECISION: None,
    Step.CLOSE: "lex_maria_close_days",
}

OPEN_STATES = [s for s in State.values if s != State.CLOSED]


# The errors of the one transition helper, under the names the Lex Maria code has used.
LexMariaTransitionError = TransitionError
StaleCaseError = StaleError


# --- routing ---------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """Who is in a case's chain on the event date (SPEC §5 variant table), or who holds it until routed."""

    route: str
    board: Board
    purchasing_board: Board | None
    reporter: Person | None
    board_mas: Person | None
    reason: str
    reporter_deputy_for: Person | None = None
    unclear_reason: str = ""
    fallback: Person | None = None


def event_date(deviation: Deviation) -> date:
    return timezone.localdate(deviation.occurred_at)


def _reporter(resolve: Callable[[str], Resolution], *, rehabilitation: bool) -> tuple[Resolution, Resolution]:
    """The anmälningsansvarig; where none is appointed, the duty holder (MAR → MAS, the one rule)."""
    appointed = resolve(Role.LEX_MARIA_REPORTER)
    if appointed.holder is not None:
        return appointed, appointed
    return appointed, duty_resolution(resolve, rehabilitation=rehabilitation)


def resolve_chain(deviation: Deviation, *, index: RoutingIndex | None = None) -> Chain:
    """Resolve route, reporter and the board's MAS for ``deviation`` on its event date.

    ``index``: a :class:`incidents.routing.RoutingIndex` holding the unit, built for the event date,
    when the caller routes many cases (the same engine and look-ups as :func:`incidents.routing.route`).

    The route and the reporter come only from the contract in force, or from egen regi (SPEC §5
    ownership guard). A unit run by another vårdgivare without a contract in force (R12), or whose
    contract contradicts itself (R11), is reported by that provider's own anmälningsansvarig — the
    board's MAS is never the reporter of another vårdgivare's event. Where nobody resolves, the case
    is marked "Ansvar oklart" with its fallback (SPEC §3): the board's MAS holds it for the board's
    own routes; another vårdgivare's case waits in the register admins' list of unrouted cases.
    """
    on = index.on if index is not None else event_date(deviation)
    unit, lookups = lookups_for(unit_id=deviation.unit_id, on=on, index=index)
    register = lookups.register
    operation = register.operation(unit)
    contract = operation.contract_in_force
    rehabilitation = deviation.category.is_rehabilitation
    guard = ""
    if not operation.by_other_provider:
        route = Route.OWN
    elif contract is not None and contract.route_agrees and contract.lex_maria_route != Route.OWN:
        route = contract.lex_maria_route
    else:
        # The vårdgivare reports events in its own business (IVO); nothing is guessed from the board.
        route = Route.PROVIDER_MAS
        if contract is None:
            guard = _("R12: the unit is run by another care provider (vårdgivare) without a contract in force.")
        else:
            guard = _("R11: contract %(case)s contradicts itself (type, MAS duty and Lex Maria route).") % {
                "case": contract.case_number
            }
    if route == Route.BOARD_MAS:
        appointed, found = _reporter(lambda role: lookups.board_holder(unit.board, role), rehabilitation=rehabilitation)
    elif guard:
        own = (Scope.UNIT, Scope.PROVIDER)  # the provider's own register only
        appointed, found = _reporter(
            lambda role: register.resolve(unit, role, levels=own), rehabilitation=rehabilitation
        )
    else:
        appointed, found = _reporter(lambda role: register.resolve(unit, role), rehabilitation=rehabilitation)
    reporter = found.holder
    deputy_for = found.deputy.deputy_for.person if reporter is not None and found.deputy is not None else None
    board_mas = None
    if route == Route.CONTRACTOR_VIA_BOARD_MAS:
        board_mas = duty_resolution(
            lambda role: lookups.board_holder(unit.board, role), rehabilitation=rehabilitation
        ).holder
    purchasing_board = contract.purchasing_board if contract is not None and route != Route.OWN else None
    reason = " ".join(p for p in (guard, found.reason) if p)
    unclear_reason, fallback = "", None
    if reporter is None:
        unclear_reason = " ".join(p for p in (guard, gap_reason(appointed, index=register)) if p)
        if route in (Route.OWN, Route.BOARD_MAS):
            fallback = fallback_owner(unit=unit, on=on, index=lookups)
    return Chain(
        route=route,
        board=unit.board,
        purchasing_board=purchasing_board,
        reporter=reporter,
        board_mas=board_mas,
        reason=reason,
        reporter_deputy_for=deputy_for,
        unclear_reason=unclear_reason,
        fallback=fallback,
    )


# --- steps and deadlines ---------------------------------------------------------


def steps_of(case: LexMariaCase) -> tuple[str, ...]:
    """The steps of ``case``'s route (forwarding only where the board's MAS forwards), close last."""
    return tuple(step for step in Step.values if actors_for(case=case, step=step))


def _not_applicable(case: LexMariaCase) -> dict[str, LexMariaStepNotApplicable]:
    cached = getattr(case, "_not_applicable_cache", None)
    if cached is None:
        cached = {row.step: row for row in case.not_applicable.all()} if case.pk else {}
        case._not_applicable_cache = cached
    return cached


def done_on(case: LexMariaCase, step: str) -> date | None:
    """The date ``step`` was done (or marked not applicable) on ``case``, or None."""
    dated = {
        Step.INFORM_PATIENT: case.patient_informed_at,
        Step.ANALYSE: case.analysed_at,
        Step.FORWARD: case.forwarded_by_board_mas_at,
        Step.INFORM_BOARD: case.board_informed_at,
        Step.REPORT_TO_IVO: case.ivo_sent_at,
        Step.SEND_INVESTIGATION: case.investigation_sent_at,
        Step.IVO_DECISION: case.ivo_decision_at,
        Step.CLOSE: timezone.localdate(case.closed_at) if case.closed_at else None,
    }.get(step)
    if dated is not None:
        return dated
    if step == Step.INFORM_PATIENT and case.patient_not_informed_reason:
        return _decided_on(case)
    row = _not_applicable(case).get(step)
    return row.on if row is not None else None


def is_done(case: LexMariaCase, step: str) -> bool:
    return done_on(case, step) is not None


def requirements(case: LexMariaCase, step: str) -> tuple[str, ...]:
    """The steps that must be done (or not applicable) before ``step``; closing needs every other step."""
    if step == Step.CLOSE:
        return tuple(s for s in steps_of(case) if s != Step.CLOSE)
    route_specific = ROUTE_REQUIRES.get(case.route, {})
    return route_specific.get(step, REQUIRES.get(step, ()))


def open_steps(case: LexMariaCase) -> list[str]:
    """Steps that can be taken now: not done, everything they need done (empty when closed)."""
    if case.state == State.CLOSED:
        return []
    return [s for s in steps_of(case) if not is_done(case, s) and all(is_done(case, r) for r in requirements(case, s))]


def step_days(municipality) -> dict[str, int | None]:
    """Days per step: the municipality's settings."""
    return {step: (getattr(municipality, field) if field else None) for step, field in STEP_DAYS_FIELDS.items()}


def step_deadline(case: LexMariaCase, step: str, *, days: dict[str, int | None] | None = None) -> date | None:
    """When ``step`` is due: the days of the step counted from when it became possible."""
    days = days if days is not None else step_days(case.deviation.municipality)
    allowed = days.get(step)
    if allowed is None:
        return None
    start = max([_decided_on(case)] + [done_on(case, r) or _decided_on(case) for r in requirements(case, step)])
    return start + timedelta(days=allowed)


def next_step(case: LexMariaCase) -> str | None:
    """The open step that is due first (the one the queue shows), or None when the case is closed."""
    steps = open_steps(case)
    if not steps:
        return None
    days = step_days(case.deviation.municipality)
    return min(steps, key=lambda s: (step_deadline(case, s, days=days) or date.max, steps_of(case).index(s)))


def next_due_at(case: LexMariaCase, *, now: datetime | None = None) -> datetime | None:
    """The earliest deadline of the open steps, at the end of that day (Stockholm time)."""
    days = step_days(case.deviation.municipality)
    deadlines = [d for d in (step_deadline(case, s, days=days) for s in open_steps(case)) if d is not None]
    if not deadlines:
        return None
    return timezone.make_aware(datetime.combine(min(deadlines), datetime.max.time().replace(microsecond=0)))


def milestone(case: LexMariaCase) -> str:
    """The state shown for ``case``: closed, or the furthest milestone reached."""
    if case.closed_at is not None:
        return State.CLOSED
    for step, state in MILESTONES:
        if is_done(case, step):
            return state
    return State.DECIDED


def actors_for(*, case: LexMariaCase, step: str) -> tuple[str, ...]:
    """Who may take ``step`` on ``case`` in its routing variant."""
    by_route = STEP_ACTORS.get(step, {})
    return by_route.get(case.route, by_route.get(None, ()))


# --- who is who on a case -------------------------------------------------------


def operations_manager(*, case: LexMariaCase) -> Person | None:
    """The unit's verksamhetschef on the event date (appoints the analysis leader)."""
    deviation = case.deviation
    unit = Unit.objects.select_related("board", "board__region").get(pk=deviation.unit_id)
    return responsible_for(unit=unit, role=Role.OPERATIONS_MANAGER, on=event_date(deviation)).holder


def _case_boards(case: LexMariaCase) -> list[int]:
    return [b for b in (case.board_id, case.purchasing_board_id) if b]


def board_official_users(*, case: LexMariaCase, on: date | None = None) -> list:
    """Users who are board officials of the case's boards (or their region) today."""
    on = on or timezone.localdate()
    boards = Board.objects.filter(pk__in=_case_boards(case))
    region_ids = [r for r in boards.values_list("region_id", flat=True) if r]
    people = Person.objects.filter(
        Q(assignments__board_id__in=_case_boards(case)) | Q(assignments__region_id__in=region_ids),
        Assignment.active_q(on, prefix="assignments__"),
        assignments__role=Role.BOARD_OFFICIAL,
        user__isnull=False,
    )
    return [p.user for p in people.select_related("user").distinct()]


def actor_kinds(*, user, case: LexMariaCase) -> frozenset[str]:
    """Which parts of ``case``'s chain ``user`` plays."""
    if not user.is_authenticated:
        return frozenset()
    person = person_of(user)
    kinds = set()
    if person is not None:
        if case.reporter_person_id == person.pk:
            kinds.add(Actor.REPORTER)
        if case.board_mas_id == person.pk:
            kinds.add(Actor.BOARD_MAS)
        vc = operations_manager(case=case)
        if vc is not None and vc.pk == person.pk:
            kinds.add(Actor.OPERATIONS_MANAGER)
    if any(u.pk == user.pk for u in board_official_users(case=case)):
        kinds.add(Actor.BOARD_OFFICIAL)
    return frozenset(kinds)


def may_take(*, user, case: LexMariaCase, step: str, kinds: frozenset[str] | None = None) -> bool:
    kinds = actor_kinds(user=user, case=case) if kinds is None else kinds
    return bool(kinds & set(actors_for(case=case, step=step)))


def owner_users(case: LexMariaCase) -> list:
    """Who holds a case nobody could be resolved to report: the fallback, else the register admins."""
    if case.fallback_person_id:
        return [case.fallback_person.user] if case.fallback_person.user_id else []
    return register_admin_users(municipality_id=case.deviation.municipality_id)


def users_of(
    case: LexMariaCase,
    actors: Iterable[str],
    *,
    stored_routing: bool = False,
    officials: Callable[[LexMariaCase], list] | None = None,
) -> list:
    """The users who play ``actors`` on ``case``.

    ``stored_routing`` reads the verksamhetschef stored with the deviation's routing (reminder jobs: no
    register look-up per case) where it is stored; ``officials`` gives the board officials of a case
    (a job passes one that remembers them per board).
    """
    users = []
    for actor in actors:
        if actor == Actor.REPORTER and case.reporter_person_id:
            users.append(case.reporter_person.user)
        elif actor == Actor.REPORTER and case.owner_unclear_reason:
            users.extend(owner_users(case))
        elif actor == Actor.BOARD_MAS and case.board_mas_id:
            users.append(case.board_mas.user)
        elif actor == Actor.OPERATIONS_MANAGER:
            if stored_routing and case.deviation.routed_at is not None:
                vc = case.deviation.operations_manager
            else:
                vc = operations_manager(case=case)
            users.append(vc.user if vc else None)
        elif actor == Actor.BOARD_OFFICIAL:
            users.extend(officials(case) if officials is not None else board_official_users(case=case))
    return [u for u in users if u is not None]


def recipients_after(*, case: LexMariaCase, done: str, actor_user=None) -> list:
    """Who is told once ``done`` happened: whoever takes an open step, and those to be informed."""
    actors = []
    for step in open_steps(case):
        actors += [a for a in actors_for(case=case, step=step) if a not in actors]
    actors += [a for a in INFORMED_AFTER.get(done, ()) if a not in actors]
    users = {u.pk: u for u in users_of(case, actors)}
    if actor_user is not None:
        users.pop(actor_user.pk, None)
    return list(users.values())


NOTIFY_SUBJECTS = {
    "open": gettext_lazy("Lex Maria %(reference)s: a case has been opened"),
    Step.INFORM_PATIENT: gettext_lazy("Lex Maria %(reference)s: the patient has been informed"),
    Step.ANALYSE: gettext_lazy("Lex Maria %(reference)s: the event analysis is done"),
    Step.FORWARD: gettext_lazy("Lex Maria %(reference)s: forwarded by the board's MAS"),
    Step.INFORM_BOARD: gettext_lazy("Lex Maria %(reference)s: the board has been informed"),
    Step.REPORT_TO_IVO: gettext_lazy("Lex Maria %(reference)s: reported to IVO"),
    Step.SEND_INVESTIGATION: gettext_lazy("Lex Maria %(reference)s: the investigation has been sent to IVO"),
    Step.IVO_DECISION: gettext_lazy("Lex Maria %(reference)s: IVO's decision received"),
    Step.CLOSE: gettext_lazy("Lex Maria %(reference)s: closed"),
    NOT_APPLICABLE: gettext_lazy("Lex Maria %(reference)s: a step was marked not applicable"),
    "rerouted": gettext_lazy("Lex Maria %(reference)s: the case has been routed to its reporter"),
}


def next_move_text(case: LexMariaCase) -> str:
    """'Open steps: <step> (<who>); …' without patient data."""
    steps = open_steps(case)
    if not steps:
        return _("The case is closed.")
    parts = [
        _("%(step)s, by %(who)s")
        % {"step": Step(step).label, "who": ", ".join(str(Actor(a).label) for a in actors_for(case=case, step=step))}
        for step in steps
    ]
    return _("Open steps: %(steps)s.") % {"steps": "; ".join(parts)}


def _notify(case: LexMariaCase, *, done: str, actor_user=None, key: str | None = None) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(NOTIFY_SUBJECTS[done]) % {"reference": case.reference}
        body = next_move_text(case)
    return notify(
        recipients=recipients_after(case=case, done=done, actor_user=actor_user),
        kind="lex_maria",
        subject=subject,
        body=body,
        link=case.get_absolute_url(),
        dedupe_key=f"lexmaria:{case.pk}:{key or done}",
    )


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
    _notify(case, done="open", actor_user=decided_by)
    return case


# --- the steps ---------------------------------------------------------------------


def _check_date(value: date | None, *, field: str, not_before: date | None, required: bool = True) -> None:
    if value is None:
        if required:
            raise ValidationError({field: _("Enter the date.")})
        return
    if value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError({field: _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}})


def _refuse_unless_open(case: LexMariaCase, step: str) -> None:
    if case.state == State.CLOSED:
        raise LexMariaTransitionError(_("The case is closed."))
    missing = [r for r in requirements(case, step) if not is_done(case, r)]
    if not missing:
        return
    if step == Step.CLOSE:
        raise LexMariaTransitionError(
            _("The case can be closed when every step is done or marked not applicable. Missing: %(steps)s.")
            % {"steps": ", ".join(str(Step(m).label) for m in missing)}
        )
    if step == Step.INFORM_BOARD and Step.FORWARD in missing:
        raise LexMariaTransitionError(
            _("The board's MAS must forward the case to the boards before the board is recorded as informed.")
        )
    raise LexMariaTransitionError(
        _("The step “%(step)s” needs first: %(steps)s.")
        % {"step": Step(step).label, "steps": ", ".join(str(Step(m).label) for m in missing)}
    )


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
# :func:`_refuse_unless_open`), the state shown is the milestone reached (:func:`milestone`).
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
            check=lambda c: _refuse_unless_open(c, step),
            target=milestone,
        )
        if moved:  # not when the step was done already
            _notify(
                locked,
                done=done or step,
                actor_user=user,
                key=f"{NOT_APPLICABLE}:{step}" if done == NOT_APPLICABLE else None,
            )
    return locked


def _decided_on(case: LexMariaCase) -> date:
    return timezone.localdate(case.decided_at)


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
        _check_date(forwarded_at, field="forwarded_at", not_before=_decided_on(c))
        c.forwarded_by_board_mas_at = forwarded_at
        return ["forwarded_by_board_mas_at"]

    return _move(case=case, step=Step.FORWARD, user=user, version=version, apply=apply)


def lex_maria_inform_board(*, case: LexMariaCase, user, version: int | None, informed_at: date | None) -> LexMariaCase:
    """Record the date the responsible board (and the purchasing board) was informed (any time after the decision)."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(informed_at, field="informed_at", not_before=c.forwarded_by_board_mas_at or _decided_on(c))
        c.board_informed_at = informed_at
        return ["board_informed_at"]

    return _move(case=case, step=Step.INFORM_BOARD, user=user, version=version, apply=apply)


def lex_maria_report_to_ivo(
    *, case: LexMariaCase, user, version: int | None, sent_at: date | None, ivo_case_number: str
) -> LexMariaCase:
    """Record that the report was sent through IVO's e-service ("snarast": any time after the decision;
    the portal never sends it itself)."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(sent_at, field="sent_at", not_before=_decided_on(c))
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
        _check_date(sent_at, field="sent_at", not_before=c.ivo_sent_at or _decided_on(c))
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
