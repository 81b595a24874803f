"""Deviation writes (SPEC §4): report, draft, submit, investigate, assess, close, reject; attachments.

One table (:data:`TRANSITIONS`) says which move takes a deviation from which
states to which state and who may make it; :data:`DEVIATIONS` enforces it
through the one transition helper (:mod:`core.transitions`: row lock, actor,
version, table) and records actor, time and reason in :class:`DeviationTransition`.
Field history is kept by simple-history on the model.
"""

from __future__ import annotations

import logging
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import references
from core.calendar import add_working_days_at
from core.services import Notice, notify, notify_all
from core.transitions import Machine, StaleError, Transition, TransitionError, lock
from core.uploads import check_zip_expansion, clean_filename
from incidents import patient, routing
from incidents.models import (
    Deviation,
    DeviationAction,
    DeviationAttachment,
    DeviationCategory,
    DeviationState,
    DeviationTransition,
    PatientDataAccess,
    ReferenceCounter,
)
from incidents.permissions import (
    Actor,
    actor_kinds,
    can_download_attachments,
    can_see_patient_data,
    may_report_for,
)
from responsibility.models import Person, Unit
from responsibility.permissions import register_admin_users
from responsibility.tenancy import person_of

logger = logging.getLogger(__name__)
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
            or (deviation.mas_deputy_for_id is not None and deviation.mas_person_id == _person_id(user))
        )
        and (move != Move.FAST_TRACK or routing.is_high_risk(deviation))
    ]


def _person_id(user) -> int | None:
    person = person_of(user)
    return person.pk if person is not None else None


# --- deadlines ----------------------------------------------------------------


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


def next_reference(*, municipality_id: int, year: int, prefix: str = "AV") -> str:
    """The next reference of a municipality's ``prefix`` series for ``year`` (AV, LM, KL, SV, …), row-locked."""
    return references.next_reference(ReferenceCounter, municipality_id=municipality_id, prefix=prefix, year=year)


def log_patient_access(
    *,
    user,
    patient_hash: str,
    action: str = "view",
    deviation: Deviation | None = None,
    unit_id: int | None = None,
    reference: str = "",
) -> PatientDataAccess:
    """Write one row of the access log (PDL 4 kap. 3 §): who saw which record's patient data, when, where.

    The one access log of the portal: deviations pass ``deviation``; other records holding patient
    data (a complaint) pass their ``reference`` and unit; a patient's log extract passes neither.
    """
    return PatientDataAccess.objects.create(
        user=user,
        deviation=deviation,
        unit_id=deviation.unit_id if deviation is not None else unit_id,
        patient_hash=patient_hash,
        action=action,
        reference="" if deviation is not None else reference,
    )


# --- reporting ----------------------------------------------------------------------


@dataclass
class Report:
    """What a reporter typed (already parsed by the form)."""

    unit: Unit | None
    occurred_at: datetime | None
    discovered_at: datetime | None
    category: DeviationCategory | None
    event_kind: str
    description: str
    immediate_actions: str = ""
    patient_identifier: str = ""
    consequence: int | None = None
    probability: int | None = None
    reported_on_behalf_of: str = ""


def validate_report(
    *, user, report: Report, now: datetime | None = None, reportable: QuerySet[Unit] | None = None
) -> dict[str, list[str]]:
    """Check a report across fields; return errors by field (empty when fine).

    ``reportable`` replaces the units ``user`` may report for (an API client reports for its token's units).
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if report.unit is None:
        add("unit", _("Choose the unit where it happened."))
    elif not (
        may_report_for(user, report.unit) if reportable is None else reportable.filter(pk=report.unit.pk).exists()
    ):
        add("unit", _("You cannot report deviations for this unit."))
    if report.occurred_at is None:
        add("occurred_at", _("Enter when it happened."))
    elif report.occurred_at > now:
        add("occurred_at", _("The event cannot be in the future."))
    if report.discovered_at is None:
        add("discovered_at", _("Enter when it was discovered."))
    elif report.discovered_at > now:
        add("discovered_at", _("The discovery cannot be in the future."))
    if report.occurred_at and report.discovered_at and report.discovered_at < report.occurred_at:
        add("discovered_at", _("It cannot have been discovered before it happened."))
    if report.category is None or (
        report.unit is not None and report.category.municipality_id != report.unit.municipality_id
    ):
        add("category", _("Choose a category."))
    if not (report.description or "").strip():
        add("description", _("Describe what happened."))
    for field in ("consequence", "probability"):
        value = getattr(report, field)
        if value is None or not 1 <= int(value) <= 4:
            add(field, _("Choose a value from 1 to 4."))
    if report.patient_identifier:
        try:
            patient.normalize_personnummer(report.patient_identifier)
        except ValidationError as exc:
            errors.setdefault("patient_identifier", []).extend(exc.messages)
    return errors


def _apply_report(deviation: Deviation, report: Report) -> None:
    deviation.unit = report.unit
    if Unit.municipality.is_cached(report.unit):
        deviation.municipality = report.unit.municipality
    else:
        deviation.municipality_id = report.unit.municipality_id
    deviation.occurred_at = report.occurred_at
    deviation.discovered_at = report.discovered_at
    deviation.category = report.category
    deviation.event_kind = report.event_kind
    deviation.description = report.description.strip()
    deviation.immediate_actions = (report.immediate_actions or "").strip()
    deviation.reported_on_behalf_of = (report.reported_on_behalf_of or "").strip()
    deviation.consequence = int(report.consequence)
    deviation.probability = int(report.probability)
    deviation.risk_score = deviation.consequence * deviation.probability
    if report.patient_identifier:
        deviation.patient_identifier_encrypted = patient.encrypt_identifier(report.patient_identifier)
        deviation.patient_hash = patient.patient_hash(report.patient_identifier)
    else:
        deviation.patient_identifier_encrypted = ""
        deviation.patient_hash = ""


def deviation_save(
    *,
    user,
    report: Report,
    deviation: Deviation | None = None,
    submit: bool,
    version: int | None = None,
    reportable: QuerySet[Unit] | None = None,
    index: routing.RoutingIndex | None = None,
) -> Deviation:
    """Save a new or draft report; with ``submit`` register it (reference, deadline, routing, notifications).

    A submitted report is written once, already in its registered state (one row, one history entry).
    ``index``: a routing index for the event date when the caller registers many reports (bulk import).
    """
    errors = validate_report(user=user, report=report, reportable=reportable)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if deviation is None:
            deviation = Deviation(reporter=user, state=State.DRAFT)
        else:
            deviation = lock(Deviation.objects, deviation.pk)
            if deviation.reporter_id != user.pk:
                raise PermissionDenied(_("Only the reporter may change a draft."))
            if deviation.state != State.DRAFT:
                raise DeviationTransitionError(_("The report has already been submitted and can no longer be edited."))
            if version is not None and deviation.version != version:
                raise StaleDeviationError(_stale_message())
            deviation.version += 1
        _apply_report(deviation, report)
        # validate_report checked the unit, the category and every check constraint with its own message; the
        # database enforces the foreign keys and constraints again, so full_clean need not look them up.
        deviation.full_clean(
            exclude=["reference", "reporter", "municipality", "unit", "category"], validate_constraints=False
        )
        route = _register(deviation=deviation, index=index) if submit else None
        deviation.save()
        if route is not None:
            routing.store_unit_managers(deviation=deviation, route=route)
            DeviationTransition.objects.create(
                deviation=deviation,
                from_state=State.DRAFT,
                to_state=State.REGISTERED,
                actor=user,
                reason=str(Move.SUBMIT.label),
            )
            notify_registered(deviation=deviation, route=route)
    return deviation


def _register(*, deviation: Deviation, index: routing.RoutingIndex | None = None) -> routing.Routing:
    """Give an unsaved or draft report its registration (reference, deadline, routing), inside the transaction."""
    now = timezone.now()
    deviation.reported_at = now
    deviation.reference = next_reference(municipality_id=deviation.municipality_id, year=timezone.localdate(now).year)
    deviation.state = State.REGISTERED
    deviation.due_at = due_for(deviation=deviation, state=State.REGISTERED, now=now)
    route = routing.route(deviation, index=index)
    routing.store_routing(deviation=deviation, route=route)
    if route.mas_needed:
        apply_owner(deviation, route.owner)
    return route


def apply_owner(deviation: Deviation, owner: routing.Owner) -> None:
    """Give ``deviation`` to ``owner``: the holder (or her deputy), or the fallback marked "Ansvar oklart"."""
    deviation.mas_person, deviation.mas_role = owner.person, owner.role
    deviation.mas_deputy_for = owner.deputy_for
    deviation.mas_unclear_reason = owner.unclear_reason
    if owner.person is not None and deviation.board_mas_copy_id == owner.person.pk:
        deviation.board_mas_copy = None  # she holds the case itself


def owner_text(deviation: Deviation) -> str:
    """Who holds the assessment, for the history and the sender: "X", "X (som ersättare för Y)" or the fallback."""
    if deviation.mas_person_id is None:
        name = _("the register administrators")
    elif deviation.mas_deputy_for_id:
        name = _("%(person)s (as deputy for %(holder)s)") % {
            "person": deviation.mas_person.full_name,
            "holder": deviation.mas_deputy_for.full_name,
        }
    else:
        name = deviation.mas_person.full_name
    if deviation.mas_unclear_reason:
        return _("The responsible MAS/MAR is unknown; the case went to %(name)s instead. %(reason)s") % {
            "name": name,
            "reason": deviation.mas_unclear_reason,
        }
    return _("Assessed by %(name)s.") % {"name": name}


def _users(people) -> list:
    people = [p for p in people if p is not None and p.user_id is not None]
    _load_users(people)
    return [p.user for p in people if p.user.is_active]


def _load_users(people) -> None:
    """Read the logins of ``people`` not loaded yet in one query (none when all are)."""
    missing = [p for p in people if p is not None and p.user_id is not None and not Person.user.is_cached(p)]
    if missing:
        prefetch_related_objects(missing, "user")


def owner_users(deviation: Deviation) -> list:
    """Who holds the MAS/MAR assessment: its person, or the register admins where nobody resolved."""
    if deviation.mas_person_id is not None:
        return _users([deviation.mas_person])
    if deviation.mas_unclear_reason:
        return register_admin_users(municipality_id=deviation.municipality_id)
    return []


def _text(message: str, deviation: Deviation) -> str:
    return message % {"reference": deviation.reference, "unit": deviation.unit.name}


def notify_registered(*, deviation: Deviation, route: routing.Routing) -> int:
    """Tell whoever the routing names (one INSERT); texts hold only the reference and the unit, never patient data."""
    link = deviation.get_absolute_url()
    key = f"deviation:{deviation.pk}"
    _load_users([*route.managers, deviation.mas_person if deviation.mas_person_id else None, route.board_mas_copy])
    with translation.override(settings.LANGUAGE_CODE):
        notices = [
            Notice(
                recipients=_users(route.managers),
                kind="deviation_registered",
                subject=_text(_("New deviation %(reference)s at %(unit)s"), deviation),
                body=_text(
                    _("A deviation has been reported at %(unit)s. Open %(reference)s in MAS-portalen."), deviation
                ),
                link=link,
                dedupe_key=f"{key}:registered",
            )
        ]
        if route.mas_needed:
            notices.append(
                Notice(
                    recipients=owner_users(deviation),
                    kind="deviation_to_mas",
                    subject=_text(_("Deviation %(reference)s at %(unit)s meets the threshold for MAS/MAR"), deviation),
                    body=_text(
                        _(
                            "A deviation at %(unit)s meets the municipality's threshold for MAS/MAR assessment. "
                            "Open %(reference)s in MAS-portalen."
                        ),
                        deviation,
                    ),
                    link=link,
                    dedupe_key=f"{key}:to_mas_at_registration",
                )
            )
        if route.board_mas_copy is not None:
            notices.append(
                Notice(
                    recipients=_users([route.board_mas_copy]),
                    kind="deviation_information_copy",
                    subject=_text(_("Information copy: deviation %(reference)s at %(unit)s"), deviation),
                    body=_text(
                        _(
                            "The contract says the board's MAS is informed of deviations at %(unit)s. "
                            "The copy holds no patient identity."
                        ),
                        deviation,
                    ),
                    link=link,
                    dedupe_key=f"{key}:information_copy",
                )
            )
        notices.append(
            Notice(
                recipients=_users_of_reporter(deviation),
                kind="deviation_received",
                subject=_text(_("Your deviation report %(reference)s has been received"), deviation),
                body=_text(
                    _(
                        "Thank you. Your report %(reference)s about %(unit)s has been registered. "
                        "You can follow it under My reports."
                    ),
                    deviation,
                ),
                link=link,
                dedupe_key=f"{key}:received",
            )
        )
    return notify_all(notices=notices)


def _users_of_reporter(deviation: Deviation) -> list:
    return [deviation.reporter] if deviation.reporter_id and deviation.reporter.is_active else []


def patient_data_access_record(*, user, deviations=(), records=(), action: str = "view") -> int:
    """Log one access per deviation or other record (a complaint) holding patient data, in one INSERT.

    ``records`` are rows with ``reference``, ``unit_id`` and ``patient_hash`` (see :func:`log_patient_access`).
    Return how many were logged.
    """
    rows = [
        PatientDataAccess(user=user, deviation=d, unit_id=d.unit_id, patient_hash=d.patient_hash, action=action)
        for d in deviations
        if d.patient_hash
    ]
    rows += [
        PatientDataAccess(
            user=user, reference=r.reference, unit_id=r.unit_id, patient_hash=r.patient_hash, action=action
        )
        for r in records
        if r.patient_hash
    ]
    PatientDataAccess.objects.bulk_create(rows)
    return len(rows)


def may_read_patient_data(
    *, user, deviation: Deviation, action: str = "view", kinds: frozenset[str] | None = None
) -> bool:
    """Whether ``user`` may read the patient identity of ``deviation`` for ``action``.

    Its reporter while it is a draft (continuing the report); else whoever's part on the unit needs it
    (:func:`incidents.permissions.can_see_patient_data`).
    """
    if action == "edit":
        return deviation.state == State.DRAFT and deviation.reporter_id == user.pk
    return can_see_patient_data(user=user, deviation=deviation, kinds=kinds)


def deviation_patient_identifier(
    *, user, deviation: Deviation, action: str = "view", kinds: frozenset[str] | None = None
) -> str:
    """The patient's personnummer of ``deviation`` for ``user``, entered in the access log (PDL 4 kap. 3 §).

    The one way a page reads a deviation's patient identity: "" when it holds none; ``PermissionDenied``
    (and nothing logged) when ``user`` may not read it.
    """
    if not deviation.has_patient_data:
        return ""
    if not may_read_patient_data(user=user, deviation=deviation, action=action, kinds=kinds):
        raise PermissionDenied(_("You may not see the patient's identity."))
    pnr = patient.format_personnummer(patient.decrypt_identifier(deviation.patient_identifier_encrypted))
    patient_data_access_record(user=user, deviations=[deviation], action=action)
    return pnr


# --- moves ------------------------------------------------------------------------------------


def _stale_message() -> str:
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
    stale=_stale_message,
)


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


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


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
    description = _required(description, "description", _("Describe the action."))
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
                subject = _text(_("Responsibility unclear: deviation %(reference)s at %(unit)s has come to you"), moved)
                body = (
                    _text(
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
                subject = _text(_("Deviation %(reference)s at %(unit)s awaits your assessment"), moved)
                body = _text(
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
            recipients=_users(routing.route(deviation=moved).managers),
            kind="deviation_fast_track",
            subject=_text(_("Deviation %(reference)s at %(unit)s has been taken into MAS/MAR assessment"), moved),
            body=_text(
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
        if d.mas_deputy_for_id is None or d.mas_person_id != _person_id(user):
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
            subject=_text(_("Deviation %(reference)s at %(unit)s was handed back to you for assessment"), moved),
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
            subject = _text(_("Deviation %(reference)s at %(unit)s has been re-routed"), locked)
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
    assessment = _required(assessment, "assessment", _("Write the assessment."))
    if lex_maria is None:
        raise ValidationError({"lex_maria": _("Decide whether the event is to be reported under Lex Maria.")})
    motivation = _required(motivation, "motivation", _("Give the motivation for the Lex Maria decision."))

    def apply(d: Deviation) -> list[str]:
        d.assessor, d.assessed_at, d.assessment = user, timezone.now(), assessment
        d.lex_maria_decision, d.lex_maria_motivation = lex_maria, motivation
        return ["assessor", "assessed_at", "assessment", "lex_maria_decision", "lex_maria_motivation"]

    def reason() -> str:
        person_id = _person_id(user)
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
    reason = _required(reason, "reason", _("Say what is to be investigated further."))
    moved = _move(deviation=deviation, move=Move.RETURN, user=user, version=version, reason=reason)
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=_users(routing.route(deviation=moved).managers),
            kind="deviation_returned",
            subject=_text(_("Deviation %(reference)s at %(unit)s was returned for further investigation"), moved),
            link=moved.get_absolute_url(),
            dedupe_key=f"deviation:{moved.pk}:returned:{moved.version}",
        )
    return moved


def deviation_close(
    *, deviation: Deviation, user, version: int | None, feedback: str, lessons_learned: str | None = None
) -> Deviation:
    """Close with feedback to the reporter; the reporter is told (without the feedback text in the e-mail)."""
    feedback = _required(feedback, "feedback", _("Write the feedback to the reporter."))

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
    reason = _required(reason, "reason", _("Give the reason for the rejection."))

    def apply(d: Deviation) -> list[str]:
        d.rejection_reason = reason
        return ["rejection_reason"]

    moved = _move(deviation=deviation, move=Move.REJECT, user=user, version=version, apply=apply, reason=reason)
    _tell_reporter(moved)
    return moved


def _tell_reporter(deviation: Deviation) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            recipients=_users_of_reporter(deviation),
            kind="deviation_outcome",
            subject=_text(_("Your deviation report %(reference)s has been handled"), deviation),
            body=_text(
                _("Your report %(reference)s about %(unit)s is finished. See the feedback under My reports."), deviation
            ),
            link=deviation.get_absolute_url(),
            dedupe_key=f"deviation:{deviation.pk}:outcome",
        )


# --- attachments ----------------------------------------------------------------------------

ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def attachment_max_bytes() -> int:
    return int(settings.DEVIATION_ATTACHMENT_MAX_BYTES)


def sniff_kind(upload) -> str | None:
    """The real type of an uploaded file from its first bytes: pdf, png, jpeg or docx; None for anything else."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def validate_attachment(upload) -> str:
    """Return the content type of an allowed upload, or raise a ValidationError in the user's language."""
    limit = attachment_max_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(_("Only PDF, PNG, JPEG and Word (docx) files can be attached."), code="type")
    check_zip_expansion(upload)
    kind = sniff_kind(upload)
    expected = "jpeg" if extension in ("jpg", "jpeg") else extension
    if kind != expected:
        raise ValidationError(
            _(
                "The file's content does not match its type: only real PDF, PNG, JPEG and Word (docx) files "
                "can be attached."
            ),
            code="disguised",
        )
    return ATTACHMENT_TYPES[extension]


def attachment_add(*, deviation: Deviation, user, upload) -> DeviationAttachment:
    """Store an upload (checked by content) outside the web root under a random name.

    Its reporter adds attachments, and whoever may open them (:func:`incidents.permissions.can_download_attachments`).
    """
    if deviation.reporter_id != user.pk and not can_download_attachments(user=user, deviation=deviation):
        raise PermissionDenied(_("You may not add attachments to this deviation."))
    content_type = validate_attachment(upload)
    attachment = DeviationAttachment(
        deviation=deviation,
        token=secrets.token_urlsafe(24),
        original_name=clean_filename(upload.name),
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )
    attachment.file.save(attachment.token, upload, save=False)
    attachment.save()
    return attachment
