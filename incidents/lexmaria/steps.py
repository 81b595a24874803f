"""The steps of a Lex Maria case (SPEC §5): the one table, what is done, what is open, the deadlines.

:data:`REQUIRES` says which steps must be done (or not applicable) before a step can be taken,
:data:`STEP_ACTORS` who may take each step in each routing variant, :data:`STEP_DAYS_FIELDS` the
municipality's days for each; the case's state is the furthest milestone reached (:func:`milestone`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.transitions import TransitionError
from incidents.lexmaria.models import LexMariaCase, LexMariaState, LexMariaStepNotApplicable
from responsibility.choices import LexMariaRoute

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
        return decided_on(case)
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
    start = max([decided_on(case)] + [done_on(case, r) or decided_on(case) for r in requirements(case, step)])
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


def refuse_unless_open(case: LexMariaCase, step: str) -> None:
    """Refuse ``step`` on a closed case or before what it needs first is done, saying what is missing."""
    if case.state == State.CLOSED:
        raise TransitionError(_("The case is closed."))
    missing = [r for r in requirements(case, step) if not is_done(case, r)]
    if not missing:
        return
    if step == Step.CLOSE:
        raise TransitionError(
            _("The case can be closed when every step is done or marked not applicable. Missing: %(steps)s.")
            % {"steps": ", ".join(str(Step(m).label) for m in missing)}
        )
    if step == Step.INFORM_BOARD and Step.FORWARD in missing:
        raise TransitionError(
            _("The board's MAS must forward the case to the boards before the board is recorded as informed.")
        )
    raise TransitionError(
        _("The step “%(step)s” needs first: %(steps)s.")
        % {"step": Step(step).label, "steps": ", ".join(str(Step(m).label) for m in missing)}
    )


def decided_on(case: LexMariaCase) -> date:
    """The day the case was decided (opened)."""
    return timezone.localdate(case.decided_at)
