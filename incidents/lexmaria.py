"""Lex Maria cases (SPEC §5): open a case on a "yes", route it by the register, move it step by step.

One table (:data:`TRANSITIONS`) says which step moves a case from which state
to which; :data:`STEP_ACTORS` says who may take each step in each routing
variant; :func:`_move` is the one place that enforces both, under a row lock
and a version check, and records actor, time and reason.

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
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import (
    Deviation,
    DeviationAction,
    LexMariaCase,
    LexMariaState,
    LexMariaTransition,
    ReferenceCounter,
)
from masportal.services import notify
from responsibility.choices import LexMariaRoute, OperatingForm, ProviderKind, Role
from responsibility.models import Board, CareProvider, Person, Unit
from responsibility.resolver import Resolution, build_index, responsible_for

State = LexMariaState
Route = LexMariaRoute


class Step(models.TextChoices):
    """A move a user makes on a case (decision → … → closed, SPEC §5)."""

    INFORM_PATIENT = "inform_patient", gettext_lazy("Patient informed")
    ANALYSE = "analyse", gettext_lazy("Event analysis")
    FORWARD = "forward", gettext_lazy("Forwarded by the board's MAS")
    INFORM_BOARD = "inform_board", gettext_lazy("Board informed")
    REPORT_TO_IVO = "report_to_ivo", gettext_lazy("Reported to IVO")
    IVO_DECISION = "ivo_decision", gettext_lazy("IVO decision received")
    CLOSE = "close", gettext_lazy("Closed")


class Actor(models.TextChoices):
    """Whose move a step is, as a part in the case's chain."""

    REPORTER = "reporter", gettext_lazy("Appointed Lex Maria reporter")
    BOARD_MAS = "board_mas", gettext_lazy("The board's MAS")
    OPERATIONS_MANAGER = "operations_manager", gettext_lazy("Operations manager")
    BOARD_OFFICIAL = "board_official", gettext_lazy("Board official")


# THE table of moves: step → (from state, to state). FORWARD keeps the state
# (it is a sub-step of the analysed case in the contractor route).
TRANSITIONS: dict[str, tuple[str, str]] = {
    Step.INFORM_PATIENT: (State.DECIDED, State.PATIENT_INFORMED),
    Step.ANALYSE: (State.PATIENT_INFORMED, State.ANALYSED),
    Step.FORWARD: (State.ANALYSED, State.ANALYSED),
    Step.INFORM_BOARD: (State.ANALYSED, State.BOARD_INFORMED),
    Step.REPORT_TO_IVO: (State.BOARD_INFORMED, State.REPORTED),
    Step.IVO_DECISION: (State.REPORTED, State.IVO_DECIDED),
    Step.CLOSE: (State.IVO_DECIDED, State.CLOSED),
}

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
    Step.IVO_DECISION: {None: (Actor.REPORTER,)},
    Step.CLOSE: {None: (Actor.REPORTER,)},
}

# Who is told (besides whoever takes the next step) once a step is done.
INFORMED_AFTER: dict[str, tuple[str, ...]] = {
    "open": (Actor.BOARD_MAS,),
    Step.INFORM_PATIENT: (),
    Step.ANALYSE: (),
    Step.FORWARD: (Actor.REPORTER,),
    Step.INFORM_BOARD: (Actor.BOARD_MAS,),
    Step.REPORT_TO_IVO: (Actor.BOARD_OFFICIAL, Actor.BOARD_MAS),
    Step.IVO_DECISION: (Actor.BOARD_OFFICIAL, Actor.BOARD_MAS),
    Step.CLOSE: (Actor.BOARD_OFFICIAL, Actor.BOARD_MAS, Actor.OPERATIONS_MANAGER),
}

# Days allowed for each step, counted from when it became the next step.
# Configurable: override with the setting LEX_MARIA_STEP_DAYS ({step: days}).
DEFAULT_STEP_DAYS: dict[str, int | None] = {
    Step.INFORM_PATIENT: 3,
    Step.ANALYSE: 42,
    Step.FORWARD: 3,
    Step.INFORM_BOARD: 7,
    Step.REPORT_TO_IVO: 7,  # "snarast" (PSL 3 kap. 5 §)
    Step.IVO_DECISION: None,  # IVO's clock, not ours
    Step.CLOSE: 14,
}

OPEN_STATES = [s for s in State.values if s != State.CLOSED]


class LexMariaTransitionError(ValidationError):
    """A move the table does not allow from the case's state (message in the user's language)."""


class StaleCaseError(ValidationError):
    """Someone else changed the case since the form was shown."""


# --- routing ---------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """Who is in a case's chain on the event date (SPEC §5 variant table)."""

    route: str
    board: Board
    purchasing_board: Board | None
    reporter: Person | None
    board_mas: Person | None
    reason: str


def event_date(deviation: Deviation) -> date:
    return timezone.localdate(deviation.occurred_at)


def _duty_role(deviation: Deviation) -> str:
    """MAR for rehabilitation categories, MAS otherwise."""
    return Role.MAR if deviation.category.is_rehabilitation else Role.MAS


def _first_holder(resolve: Callable[[str], Resolution], roles: Iterable[str]) -> tuple[Person | None, str]:
    reasons = []
    for role in roles:
        resolution = resolve(role)
        if resolution.holder is not None:
            return resolution.holder, resolution.reason
        reasons.append(resolution.reason)
    return None, " ".join(reasons)


def board_duty_holder(*, board: Board, role: str, on: date) -> Resolution:
    """Return who holds ``role`` for ``board``'s own operation on ``on`` (the board's MAS/MAR).

    Asks the resolver about a virtual unit of the board run in egen regi by the
    board's municipal provider, so precedence (deputy → provider → board →
    region) stays in the resolver.
    """
    municipal = CareProvider.objects.filter(kind=ProviderKind.MUNICIPAL, board=board).only("pk").first()
    virtual = Unit(
        municipality_id=board.municipality_id, board=board, provider_id=municipal.pk if municipal else None,
        operating_form=OperatingForm.OWN, contract=None,
    )
    return build_index(units=[virtual], on=on).resolve(virtual, role)


def resolve_chain(*, deviation: Deviation) -> Chain:
    """Resolve route, reporter and the board's MAS for ``deviation`` on its event date."""
    on = event_date(deviation)
    unit = Unit.objects.select_related("board", "board__region", "provider").get(pk=deviation.unit_id)
    index = build_index(units=[unit], on=on)
    operation = index.operation(unit)
    contract = operation.contract
    if operation.operating_form == OperatingForm.OWN or contract is None:
        route = Route.OWN if operation.operating_form == OperatingForm.OWN else Route.BOARD_MAS
    else:
        route = contract.lex_maria_route
    duty = _duty_role(deviation)
    reporter_roles = (Role.LEX_MARIA_REPORTER, duty)
    if route == Route.BOARD_MAS:
        reporter, reason = _first_holder(
            lambda role: board_duty_holder(board=unit.board, role=role, on=on), reporter_roles
        )
    else:
        reporter, reason = _first_holder(lambda role: index.resolve(unit, role), reporter_roles)
    board_mas = None
    if route == Route.CONTRACTOR_VIA_BOARD_MAS:
        board_mas = board_duty_holder(board=unit.board, role=duty, on=on).holder
    purchasing_board = contract.purchasing_board if contract is not None and route != Route.OWN else None
    return Chain(route=route, board=unit.board, purchasing_board=purchasing_board, reporter=reporter,
                 board_mas=board_mas, reason=reason)


def _next_reference(*, municipality_id: int, prefix: str, year: int) -> str:
    """Take the next number of the municipality's ``prefix`` series for ``year`` (row-locked)."""
    ReferenceCounter.objects.get_or_create(municipality_id=municipality_id, prefix=prefix, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(municipality_id=municipality_id, prefix=prefix,
                                                               year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


# --- deadlines ---------------------------------------------------------------


def step_days() -> dict[str, int | None]:
    """Days per step: the defaults, overridden by the LEX_MARIA_STEP_DAYS setting."""
    return {**DEFAULT_STEP_DAYS, **getattr(settings, "LEX_MARIA_STEP_DAYS", {})}


def next_step(case: LexMariaCase) -> str | None:
    """The step that is due next on ``case``, or None when it is closed."""
    if case.state == State.ANALYSED:
        if case.route == Route.CONTRACTOR_VIA_BOARD_MAS and case.forwarded_by_board_mas_at is None:
            return Step.FORWARD
        return Step.INFORM_BOARD
    for step, (from_state, to_state) in TRANSITIONS.items():
        if from_state == case.state and from_state != to_state:
            return step
    return None


def next_due_at(case: LexMariaCase, *, now: datetime) -> datetime | None:
    step = next_step(case)
    days = step_days().get(step) if step else None
    return now + timedelta(days=days) if days is not None else None


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
        assignments__role=Role.BOARD_OFFICIAL,
        assignments__valid_from__lte=on,
        user__isnull=False,
    ).filter(Q(assignments__valid_to__isnull=True) | Q(assignments__valid_to__gte=on))
    return [p.user for p in people.select_related("user").distinct()]


def actor_kinds(*, user, case: LexMariaCase) -> frozenset[str]:
    """Which parts of ``case``'s chain ``user`` plays."""
    if not user.is_authenticated:
        return frozenset()
    person = Person.objects.filter(user=user).first()
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


def users_of(case: LexMariaCase, actors: Iterable[str], *, stored_routing: bool = False,
             officials: Callable[[LexMariaCase], list] | None = None) -> list:
    """The users who play ``actors`` on ``case``.

    ``stored_routing`` reads the verksamhetschef stored with the deviation's routing (reminder jobs: no
    register look-up per case) where it is stored; ``officials`` gives the board officials of a case
    (a job passes one that remembers them per board).
    """
    users = []
    for actor in actors:
        if actor == Actor.REPORTER and case.reporter_person_id:
            users.append(case.reporter_person.user)
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
    """Who is told once ``done`` happened: whoever moves next, and those to be informed."""
    step = next_step(case)
    actors = list(actors_for(case=case, step=step)) if step else []
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
    Step.IVO_DECISION: gettext_lazy("Lex Maria %(reference)s: IVO's decision received"),
    Step.CLOSE: gettext_lazy("Lex Maria %(reference)s: closed"),
}


def next_move_text(case: LexMariaCase) -> str:
    """'Next: <step> (<who>)' without patient data."""
    step = next_step(case)
    if step is None:
        return _("The case is closed.")
    who = ", ".join(str(Actor(a).label) for a in actors_for(case=case, step=step))
    return _("Next step: %(step)s, by %(who)s.") % {"step": Step(step).label, "who": who}


def _notify(case: LexMariaCase, *, done: str, actor_user=None) -> int:
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(NOTIFY_SUBJECTS[done]) % {"reference": case.reference}
        body = next_move_text(case)
    return notify(
        recipients=recipients_after(case=case, done=done, actor_user=actor_user),
        kind="lex_maria",
        subject=subject,
        body=body,
        link=case.get_absolute_url(),
        dedupe_key=f"lexmaria:{case.pk}:{done}",
    )


# --- opening -------------------------------------------------------------------


@transaction.atomic
def lex_maria_open(*, deviation: Deviation, decided_by, motivation: str) -> LexMariaCase:
    """Open the Lex Maria case of a "yes" decision on ``deviation``; a second call returns the same case."""
    existing = LexMariaCase.objects.filter(deviation_id=deviation.pk).first()
    if existing is not None:
        return existing
    if not (motivation or "").strip():
        raise ValidationError({"motivation": _("Give the motivation for the Lex Maria decision.")})
    chain = resolve_chain(deviation=deviation)
    now = timezone.now()
    case = LexMariaCase(
        deviation=deviation,
        reference=_next_reference(municipality_id=deviation.municipality_id, prefix="LM",
                                  year=timezone.localdate(now).year),
        route=chain.route,
        state=State.DECIDED,
        board=chain.board,
        purchasing_board=chain.purchasing_board,
        reporter_person=chain.reporter,
        board_mas=chain.board_mas,
        decided_by=decided_by,
        decided_at=now,
        motivation=motivation.strip(),
    )
    case.due_at = next_due_at(case, now=now)
    case.full_clean(exclude=["deviation"])
    case.save()
    LexMariaTransition.objects.create(case=case, from_state="", to_state=State.DECIDED, actor=decided_by,
                                      reason=case.motivation)
    _notify(case, done="open", actor_user=decided_by)
    return case


# --- the steps ---------------------------------------------------------------------


def _already_done(case: LexMariaCase, step: str) -> bool:
    if step == Step.FORWARD:
        return case.forwarded_by_board_mas_at is not None
    return case.state == TRANSITIONS[step][1]


def _check_date(value: date | None, *, field: str, not_before: date | None, required: bool = True) -> None:
    if value is None:
        if required:
            raise ValidationError({field: _("Enter the date.")})
        return
    if value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {field: _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()}}
        )


def _move(*, case: LexMariaCase, step: str, user, version: int | None, reason: str = "",
          apply: Callable[[LexMariaCase], list[str]]) -> LexMariaCase:
    """Take ``step`` on ``case`` as ``user``: lock, check table, actor and version, apply, record, notify."""
    with transaction.atomic():
        locked = (
            LexMariaCase.objects.select_for_update(of=("self",))
            .select_related("deviation", "reporter_person__user", "board_mas__user")
            .get(pk=case.pk)
        )
        if not actors_for(case=locked, step=step):
            # The step is not part of this routing variant (e.g. forwarding outside the contractor route).
            raise LexMariaTransitionError(
                _("The step “%(step)s” is not part of this case's route.") % {"step": Step(step).label}
            )
        if not may_take(user=user, case=locked, step=step):
            raise PermissionDenied(_("You may not take this step on this Lex Maria case."))
        if _already_done(locked, step):
            return locked
        from_state, to_state = TRANSITIONS[step]
        if locked.state != from_state:
            raise LexMariaTransitionError(
                _("The step “%(step)s” cannot be taken when the case is “%(state)s”.")
                % {"step": Step(step).label, "state": State(locked.state).label}
            )
        if (step == Step.INFORM_BOARD and locked.route == Route.CONTRACTOR_VIA_BOARD_MAS
                and locked.forwarded_by_board_mas_at is None):
            raise LexMariaTransitionError(
                _("The board's MAS must forward the case to the boards before the board is recorded as informed.")
            )
        if version is not None and locked.version != version:
            raise StaleCaseError(
                _("Someone else changed the case while you were editing it. Check the case and try again.")
            )
        fields = apply(locked)
        now = timezone.now()
        locked.state = to_state
        locked.version += 1
        locked.due_at = next_due_at(locked, now=now)
        fields += ["state", "version", "due_at"]
        if to_state == State.CLOSED:
            locked.closed_at = now
            fields.append("closed_at")
        locked.save(update_fields=fields)
        LexMariaTransition.objects.create(case=locked, from_state=from_state, to_state=to_state, actor=user,
                                          reason=reason or str(Step(step).label))
        _notify(locked, done=step, actor_user=user)
    return locked


def _decided_on(case: LexMariaCase) -> date:
    return timezone.localdate(case.decided_at)


def lex_maria_inform_patient(*, case: LexMariaCase, user, version: int | None, informed_at: date | None,
                             informed_by: str = "", not_informed_reason: str = "",
                             patient_statement: str = "") -> LexMariaCase:
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

    return _move(case=case, step=Step.INFORM_PATIENT, user=user, version=version, apply=apply,
                 reason=not_informed_reason)


@dataclass(frozen=True)
class AnalysisAction:
    description: str
    owner: Person
    deadline: date


def lex_maria_record_analysis(*, case: LexMariaCase, user, version: int | None, leader: Person, team: str,
                              timeline: str, causes: str, actions: list[AnalysisAction],
                              summary: str = "") -> LexMariaCase:
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
            [DeviationAction(deviation_id=c.deviation_id, description=a.description, owner=a.owner,
                             deadline=a.deadline) for a in actions]
        )
        return ["analysis_leader", "analysis_team", "analysis_timeline", "analysis_causes", "analysis_actions"]

    return _move(case=case, step=Step.ANALYSE, user=user, version=version, apply=apply)


def lex_maria_forward(*, case: LexMariaCase, user, version: int | None, forwarded_at: date | None) -> LexMariaCase:
    """The board's MAS forwards the contractor's case to the managing and purchasing boards."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(forwarded_at, field="forwarded_at", not_before=_decided_on(c))
        c.forwarded_by_board_mas_at = forwarded_at
        return ["forwarded_by_board_mas_at"]

    return _move(case=case, step=Step.FORWARD, user=user, version=version, apply=apply)


def lex_maria_inform_board(*, case: LexMariaCase, user, version: int | None,
                           informed_at: date | None) -> LexMariaCase:
    """Record the date the responsible board (and the purchasing board) was informed."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(informed_at, field="informed_at", not_before=c.forwarded_by_board_mas_at or _decided_on(c))
        c.board_informed_at = informed_at
        return ["board_informed_at"]

    return _move(case=case, step=Step.INFORM_BOARD, user=user, version=version, apply=apply)


def lex_maria_report_to_ivo(*, case: LexMariaCase, user, version: int | None, sent_at: date | None,
                            ivo_case_number: str) -> LexMariaCase:
    """Record that the report was sent through IVO's e-service (the portal never sends it itself)."""

    def apply(c: LexMariaCase) -> list[str]:
        _check_date(sent_at, field="sent_at", not_before=_decided_on(c))
        if not ivo_case_number.strip():
            raise ValidationError({"ivo_case_number": _("Enter IVO's case number.")})
        c.ivo_sent_at = sent_at
        c.ivo_case_number = ivo_case_number.strip()
        return ["ivo_sent_at", "ivo_case_number"]

    return _move(case=case, step=Step.REPORT_TO_IVO, user=user, version=version, apply=apply)


def lex_maria_record_ivo_decision(*, case: LexMariaCase, user, version: int | None, decided_at: date | None,
                                  outcome: str) -> LexMariaCase:
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
    """Close the case after IVO's decision."""
    return _move(case=case, step=Step.CLOSE, user=user, version=version, apply=lambda c: [], reason=reason.strip())


# The service of each step (the views look them up here).
STEP_SERVICES: dict[str, Callable[..., LexMariaCase]] = {
    Step.INFORM_PATIENT: lex_maria_inform_patient,
    Step.ANALYSE: lex_maria_record_analysis,
    Step.FORWARD: lex_maria_forward,
    Step.INFORM_BOARD: lex_maria_inform_board,
    Step.REPORT_TO_IVO: lex_maria_report_to_ivo,
    Step.IVO_DECISION: lex_maria_record_ivo_decision,
    Step.CLOSE: lex_maria_close,
}
