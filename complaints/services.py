"""Writes of complaints and collaboration deviations (SPEC §6a): register, move, link, start a deviation.

Each kind has one table of moves (:data:`COMPLAINT_TRANSITIONS`,
:data:`COLLABORATION_TRANSITIONS`) enforced by :meth:`core.transitions.Machine.move`.
Patient identity uses the deviation workflow's code (:mod:`incidents.patient`),
references its counter (``KL-YYYY-NNNNNN``, ``SV-YYYY-NNNNNN``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import deadlines, routing
from complaints.choices import CollaborationState, ComplaintState, Direction, Outcome
from complaints.models import (
    CollaborationDeviation,
    CollaborationTransition,
    Complaint,
    ComplaintCategory,
    ComplaintTransition,
    Counterpart,
)
from complaints.permissions import (
    Actor,
    can_see_patient_data,
    collaboration_kinds,
    collaboration_units,
    complaint_kinds,
    complaint_units,
)
from core.services import notify
from core.transitions import (
    Machine,
    StaleError,
    Transition,
    TransitionError,
    deadline_and_closing,
    lock,
    transition_row,
)
from incidents import patient
from incidents import services as deviation_services
from incidents.models import Deviation, DeviationCategory
from responsibility.choices import ContractKind
from responsibility.models import Contract, Municipality, Unit

CS = ComplaintState
VS = CollaborationState


def settings_for(municipality: Municipality | int) -> Municipality:
    """The municipality, whose fields hold the complaint deadlines (``acknowledge_working_days``,
    ``answer_weeks``, ``reply_months``, ``complaint_reminder_days_before``)."""
    if isinstance(municipality, Municipality):
        return municipality
    return Municipality.objects.get(pk=municipality)


# --- complaints: the table ----------------------------------------------------------------------


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


def complaint_patient_identifier(*, user, complaint: Complaint, kinds: frozenset[str] | None = None) -> str:
    """The patient's personnummer of ``complaint`` for ``user``, entered in the access log (PDL 4 kap. 3 §).

    "" when it holds none; ``PermissionDenied`` (and nothing logged) when ``user`` may not read it.
    """
    if not complaint.has_patient_data:
        return ""
    if not can_see_patient_data(user=user, case=complaint, kinds=kinds):
        raise PermissionDenied(_("You may not see the patient's identity."))
    pnr = patient.format_personnummer(patient.decrypt_identifier(complaint.patient_identifier_encrypted))
    deviation_services.log_patient_access(
        user=user,
        patient_hash=complaint.patient_hash,
        unit_id=complaint.unit_id,
        reference=complaint.reference,
        action="complaint_view",
    )
    return pnr


# --- complaints: registration -------------------------------------------------------------------


@dataclass
class ComplaintInput:
    """What the registering user typed (parsed by the form)."""

    unit: Unit | None
    received_on: date | None
    channel: str
    complainant_kind: str
    categories: list[ComplaintCategory] = field(default_factory=list)
    description: str = ""
    patient_identifier: str = ""
    external_case_number: str = ""
    external_deadline: date | None = None


def validate_complaint(*, user, data: ComplaintInput, today: date | None = None) -> dict[str, list[str]]:
    """Check a complaint across fields; return errors by field (empty when fine)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.unit is None:
        add("unit", _("Choose the unit the complaint concerns."))
    elif not complaint_units(user).filter(pk=data.unit.pk).exists():
        add("unit", _("You cannot register complaints for this unit."))
    if data.received_on is None:
        add("received_on", _("Enter the date the complaint was received."))
    elif data.received_on > today:
        add("received_on", _("The date received cannot be in the future."))
    if not data.channel:
        add("channel", _("Choose how the complaint was received."))
    if not data.complainant_kind:
        add("complainant_kind", _("Choose who complained."))
    if (
        not data.categories
        or data.unit is not None
        and any(c.municipality_id != data.unit.municipality_id for c in data.categories)
    ):
        add("categories", _("Choose at least one category."))
    if not (data.description or "").strip():
        add("description", _("Describe what the complaint is about."))
    if data.channel == "ivo" and data.external_deadline is None:
        add("external_deadline", _("Enter the deadline IVO set for the answer."))
    if (
        data.external_deadline is not None
        and data.received_on is not None
        and data.external_deadline < data.received_on
    ):
        add("external_deadline", _("The deadline cannot be before the date received."))
    if data.patient_identifier:
        try:
            patient.normalize_personnummer(data.patient_identifier)
        except ValidationError as exc:
            errors.setdefault("patient_identifier", []).extend(exc.messages)
    return errors


def _users(people) -> list:
    return [p.user for p in people if p is not None and p.user_id is not None and p.user.is_active]


def complaint_register(*, user, data: ComplaintInput) -> Complaint:
    """Register a complaint: reference, deadlines, routing on the date received, notifications."""
    errors = validate_complaint(user=user, data=data)
    if errors:
        raise ValidationError(errors)
    conf = settings_for(data.unit.municipality_id)
    rehabilitation = any(c.is_rehabilitation for c in data.categories)
    health_care = any(c.concerns_health_care for c in data.categories)
    route = routing.route(unit=data.unit, on=data.received_on, rehabilitation=rehabilitation, health_care=health_care)
    external_deadline = data.external_deadline if data.channel in ("ivo", "patient_board") else None
    with transaction.atomic():
        complaint = Complaint(
            municipality_id=data.unit.municipality_id,
            unit=data.unit,
            received_on=data.received_on,
            channel=data.channel,
            complainant_kind=data.complainant_kind,
            description=data.description.strip(),
            registered_by=user,
            external_case_number=(data.external_case_number or "").strip(),
            external_deadline=external_deadline,
            acknowledge_due=deadlines.acknowledge_due(
                received_on=data.received_on,
                working_days=conf.acknowledge_working_days,
                municipality=data.unit.municipality,
            ),
            answer_due=deadlines.answer_due(
                received_on=data.received_on, weeks=conf.answer_weeks, external_deadline=external_deadline
            ),
            concerns_health_care=health_care,
            operations_manager=route.operations_manager,
            mas_person=route.duty_holder,
            mas_unclear_reason=route.unclear_reason,
            mas_role=route.duty_role,
        )
        if data.patient_identifier:
            complaint.patient_identifier_encrypted = patient.encrypt_identifier(data.patient_identifier)
            complaint.patient_hash = patient.patient_hash(data.patient_identifier)
        complaint.reference = deviation_services.next_reference(
            municipality_id=complaint.municipality_id, year=timezone.localdate().year, prefix="KL"
        )
        complaint.due_at = complaint_due(complaint)
        complaint.full_clean(exclude=["municipality", "unit", "registered_by", "categories"])
        complaint.save()
        complaint.categories.set(data.categories)
        ComplaintTransition.objects.create(
            complaint=complaint, from_state=CS.REGISTERED, to_state=CS.REGISTERED, actor=user, reason=_("Registered")
        )
        with translation.override(settings.LANGUAGE_CODE):
            values = {
                "reference": complaint.reference,
                "unit": complaint.unit.name,
                "date": complaint.answer_due.isoformat(),
            }
            notify(
                recipients=_users([route.operations_manager, route.duty_holder]),
                kind="complaint_registered",
                subject=_("New complaint %(reference)s about %(unit)s, to be answered by %(date)s") % values,
                body=_("A complaint about %(unit)s has been registered. Open %(reference)s in MAS-portalen.") % values,
                link=complaint.get_absolute_url(),
                dedupe_key=f"complaint:{complaint.pk}:registered",
            )
    return complaint


def complaint_correct(*, complaint: Complaint, user, version: int | None, data: ComplaintInput) -> Complaint:
    """Correct what was registered (how, who, categories, text, IVO's number and date) while the complaint is open.

    The unit, the date received and the patient reference stay as registered (routing and the access log
    depend on them); a new IVO date moves the answer deadline.
    """
    errors = validate_complaint(user=user, data=data)
    for kept in ("unit", "received_on", "patient_identifier"):
        errors.pop(kept, None)
    if errors:
        raise ValidationError(errors)
    conf = settings_for(complaint.municipality_id)

    def apply(c: Complaint) -> list[str]:
        external = data.external_deadline if data.channel in ("ivo", "patient_board") else None
        if external is not None and external < c.received_on:
            raise ValidationError({"external_deadline": _("The deadline cannot be before the date received.")})
        c.channel, c.complainant_kind = data.channel, data.complainant_kind
        c.description = data.description.strip()
        c.external_case_number = (data.external_case_number or "").strip()
        c.external_deadline = external
        c.answer_due = deadlines.answer_due(
            received_on=c.received_on, weeks=conf.answer_weeks, external_deadline=external
        )
        c.concerns_health_care = any(cat.concerns_health_care for cat in data.categories)
        c.due_at = complaint_due(c)
        c.categories.set(data.categories)
        return [
            "channel",
            "complainant_kind",
            "description",
            "external_case_number",
            "external_deadline",
            "answer_due",
            "concerns_health_care",
            "due_at",
        ]

    return COMPLAINTS.edit(
        complaint,
        actor=user,
        version=version,
        actors=HANDLERS,
        states=COMPLAINT_OPEN_STATES,
        apply=apply,
    )


# --- complaints: moves and edits ----------------------------------------------------------------


def _required(value: str, name: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({name: message})
    return value


def _check_date(value: date | None, name: str, *, not_before: date, required_message: str) -> date:
    if value is None:
        raise ValidationError({name: required_message})
    if value > timezone.localdate():
        raise ValidationError({name: _("The date cannot be in the future.")})
    if value < not_before:
        raise ValidationError({name: _("The date cannot be before the complaint was received.")})
    return value


def complaint_acknowledge(
    *, complaint: Complaint, user, version: int | None, acknowledged_on: date | None
) -> Complaint:
    """Record that receipt was confirmed to the complainant."""
    day = _check_date(
        acknowledged_on,
        "acknowledged_on",
        not_before=complaint.received_on,
        required_message=_("Enter the date receipt was confirmed."),
    )

    def apply(c: Complaint) -> list[str]:
        c.acknowledged_on = day
        return ["acknowledged_on"]

    return COMPLAINTS.move(complaint, move=ComplaintMove.ACKNOWLEDGE, actor=user, version=version, apply=apply)


def complaint_start_investigation(*, complaint: Complaint, user, version: int | None) -> Complaint:
    """Take the complaint up for investigation; the user becomes the investigator unless one is set."""

    def apply(c: Complaint) -> list[str]:
        if c.investigator_id is None:
            c.investigator = user
            return ["investigator"]
        return []

    return COMPLAINTS.move(complaint, move=ComplaintMove.START_INVESTIGATION, actor=user, version=version, apply=apply)


def complaint_save_investigation(
    *, complaint: Complaint, user, version: int | None, investigation: str, actions: str
) -> Complaint:
    """Save the investigation and the actions taken while the complaint is open."""

    def apply(c: Complaint) -> list[str]:
        c.investigation = (investigation or "").strip()
        c.actions = (actions or "").strip()
        fields = ["investigation", "actions"]
        if c.investigator_id is None:
            c.investigator = user
            fields.append("investigator")
        return fields

    return COMPLAINTS.edit(
        complaint,
        actor=user,
        version=version,
        actors=HANDLERS,
        states=COMPLAINT_EDIT_STATES,
        apply=apply,
    )


def complaint_answer(
    *,
    complaint: Complaint,
    user,
    version: int | None,
    answer: str,
    answered_on: date | None,
    method: str,
    actions: str = "",
    informed_patient_board: bool = False,
    informed_ivo: bool = False,
    informed_compensation: bool = False,
) -> Complaint:
    """Record the answer: what the complainant was told, when and how; an answer also confirms receipt."""
    answer = _required(answer, "answer", _("Write what the complainant was told."))
    day = _check_date(
        answered_on,
        "answered_on",
        not_before=complaint.received_on,
        required_message=_("Enter the date of the answer."),
    )
    if not method:
        raise ValidationError({"method": _("Choose how the answer was given.")})

    def apply(c: Complaint) -> list[str]:
        c.answer, c.answered_on, c.answer_method = answer, day, method
        c.informed_patient_board, c.informed_ivo = informed_patient_board, informed_ivo
        c.informed_compensation = informed_compensation
        fields = [
            "answer",
            "answered_on",
            "answer_method",
            "informed_patient_board",
            "informed_ivo",
            "informed_compensation",
        ]
        if (actions or "").strip():
            c.actions = actions.strip()
            fields.append("actions")
        if c.acknowledged_on is None:
            c.acknowledged_on = day
            fields.append("acknowledged_on")
        return fields

    return COMPLAINTS.move(complaint, move=ComplaintMove.ANSWER, actor=user, version=version, apply=apply)


def complaint_reopen(*, complaint: Complaint, user, version: int | None, reason: str) -> Complaint:
    """Reopen an answered complaint for further investigation, with the reason."""
    reason = _required(reason, "reason", _("Say why the complaint is reopened."))
    return COMPLAINTS.move(complaint, move=ComplaintMove.REOPEN, actor=user, version=version, reason=reason)


def complaint_close(*, complaint: Complaint, user, version: int | None, outcome: str, comment: str = "") -> Complaint:
    """Close an answered complaint with its outcome."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})

    def apply(c: Complaint) -> list[str]:
        c.outcome, c.outcome_comment = outcome, (comment or "").strip()
        return ["outcome", "outcome_comment"]

    return COMPLAINTS.move(
        complaint,
        move=ComplaintMove.CLOSE,
        actor=user,
        version=version,
        apply=apply,
        reason=str(Outcome(outcome).label),
    )


def _visible_deviation(*, user, municipality_id: int, reference: str) -> Deviation:
    """The deviation of ``reference`` in the municipality, if ``user`` may see it (else a form error)."""
    from incidents.selectors import deviations_visible_to

    reference = _required(reference, "reference", _("Enter the deviation's reference."))
    found = (
        deviations_visible_to(user=user).filter(municipality_id=municipality_id, reference__iexact=reference).first()
    )
    if found is None:
        raise ValidationError({"reference": _("No deviation with that reference that you may see.")})
    return found


def complaint_link_deviation(*, complaint: Complaint, user, version: int | None, reference: str) -> Complaint:
    """Link a deviation (by its reference) the user may see, of the complaint's municipality."""
    found = _visible_deviation(user=user, municipality_id=complaint.municipality_id, reference=reference)

    def apply(c: Complaint) -> list[str]:
        c.deviation = found
        return ["deviation"]

    return COMPLAINTS.edit(
        complaint,
        actor=user,
        version=version,
        actors=HANDLERS,
        states=COMPLAINT_OPEN_STATES + (CS.CLOSED,),
        apply=apply,
    )


def complaint_start_deviation(*, complaint: Complaint, user, version: int | None) -> Deviation:
    """Start a deviation from the complaint: a draft, prefilled and linked, that the user checks and submits.

    The draft carries the unit, the date received, a category (the complaint category's deviation
    category, else "övrigt"), the description and the patient reference; the risk is set to its lowest
    values for the user to assess before submitting.
    """
    with transaction.atomic():
        locked = lock(Complaint.objects, complaint.pk)
        if not complaint_kinds(user=user, case=locked) & set(HANDLERS):
            raise PermissionDenied(_("You may not do this on this case."))
        if locked.deviation_id is not None:
            raise TransitionError(_("This complaint is already linked to a deviation."))
        if version is not None and locked.version != version:
            raise StaleError(COMPLAINTS.stale())
        categories = list(locked.categories.select_related("deviation_category"))
        category = next((c.deviation_category for c in categories if c.deviation_category_id), None)
        if category is None:
            category = (
                DeviationCategory.objects.filter(municipality_id=locked.municipality_id, active=True)
                .order_by("-code")
                .filter(code="ovrigt")
                .first()
                or DeviationCategory.objects.filter(municipality_id=locked.municipality_id, active=True).first()
            )
        occurred = min(timezone.make_aware(datetime.combine(locked.received_on, time(8))), timezone.now())
        pnr = (
            patient.format_personnummer(patient.decrypt_identifier(locked.patient_identifier_encrypted))
            if locked.has_patient_data
            else ""
        )
        with translation.override(settings.LANGUAGE_CODE):
            description = _("From complaint %(reference)s: %(text)s") % {
                "reference": locked.reference,
                "text": locked.description,
            }
        draft = deviation_services.deviation_save(
            user=user,
            submit=False,
            report=deviation_services.Report(
                unit=locked.unit,
                occurred_at=occurred,
                discovered_at=occurred,
                category=category,
                event_kind="occurred",
                description=description,
                patient_identifier=pnr,
                consequence=1,
                probability=1,
            ),
        )
        locked.deviation = draft
        locked.version += 1
        locked.save(update_fields=["deviation", "version", "updated_at"])
    return draft


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


@dataclass
class CollaborationInput:
    """What the MAS typed (parsed by the form)."""

    direction: str
    counterpart: Counterpart | None
    unit: Unit | None
    category: DeviationCategory | None
    occurred_on: date | None
    description: str = ""
    contract: Contract | None = None
    counterpart_reference: str = ""
    received_on: date | None = None
    reply_due: date | None = None


def validate_collaboration(*, user, data: CollaborationInput, today: date | None = None) -> dict[str, list[str]]:
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.direction not in Direction.values:
        add("direction", _("Choose the direction."))
    if data.unit is None:
        add("unit", _("Choose the unit of ours that was affected."))
    elif not collaboration_units(user).filter(pk=data.unit.pk).exists():
        add("unit", _("You cannot register collaboration deviations for this unit."))
    municipality_id = data.unit.municipality_id if data.unit is not None else None
    if data.counterpart is None or (municipality_id and data.counterpart.municipality_id != municipality_id):
        add("counterpart", _("Choose the counterpart."))
    if data.category is None or (municipality_id and data.category.municipality_id != municipality_id):
        add("category", _("Choose a category."))
    if data.contract is not None and (
        data.contract.kind != ContractKind.PHYSICIAN or data.contract.municipality_id != municipality_id
    ):
        add("contract", _("Choose a läkarmedverkan agreement of the municipality, or none."))
    if data.occurred_on is None:
        add("occurred_on", _("Enter when it happened."))
    elif data.occurred_on > today:
        add("occurred_on", _("The event cannot be in the future."))
    if not (data.description or "").strip():
        add("description", _("Describe what happened."))
    if data.direction == Direction.INCOMING:
        if data.received_on is None:
            add("received_on", _("Enter the date it was received."))
        elif data.received_on > today:
            add("received_on", _("The date received cannot be in the future."))
        if data.reply_due is not None and data.received_on is not None and data.reply_due < data.received_on:
            add("reply_due", _("The deadline cannot be before the date received."))
    return errors


def collaboration_register(*, user, data: CollaborationInput) -> CollaborationDeviation:
    """Register an outgoing or incoming collaboration deviation (routing on the event date)."""
    errors = validate_collaboration(user=user, data=data)
    if errors:
        raise ValidationError(errors)
    route = routing.route(unit=data.unit, on=data.occurred_on)
    with transaction.atomic():
        case = CollaborationDeviation(
            municipality_id=data.unit.municipality_id,
            direction=data.direction,
            counterpart=data.counterpart,
            contract=data.contract,
            unit=data.unit,
            category=data.category,
            occurred_on=data.occurred_on,
            description=data.description.strip(),
            registered_by=user,
            counterpart_reference=(data.counterpart_reference or "").strip(),
            operations_manager=route.operations_manager,
            mas_person=route.duty_holder,
            mas_unclear_reason=route.unclear_reason,
        )
        if data.direction == Direction.INCOMING:
            case.received_on = data.received_on
            case.reply_due = data.reply_due or deadlines.add_months(data.received_on, data.counterpart.reply_months)
        case.reference = deviation_services.next_reference(
            municipality_id=case.municipality_id, year=timezone.localdate().year, prefix="SV"
        )
        case.due_at = collaboration_due(case)
        case.full_clean(exclude=["municipality", "unit", "registered_by", "counterpart", "category", "contract"])
        case.save()
        CollaborationTransition.objects.create(
            deviation=case, from_state=VS.REGISTERED, to_state=VS.REGISTERED, actor=user, reason=_("Registered")
        )
    return case


def _collab_date(value: date | None, name: str, *, not_before: date | None, message: str) -> date:
    if value is None:
        raise ValidationError({name: message})
    if value > timezone.localdate():
        raise ValidationError({name: _("The date cannot be in the future.")})
    if not_before is not None and value < not_before:
        raise ValidationError({name: _("The date cannot be before the event.")})
    return value


def collaboration_send(
    *, case: CollaborationDeviation, user, version: int | None, sent_on: date | None, reply_due: date | None = None
) -> CollaborationDeviation:
    """Record that the deviation was sent to the counterpart's contact; the reply is due after its months."""
    day = _collab_date(sent_on, "sent_on", not_before=case.occurred_on, message=_("Enter the date it was sent."))
    if reply_due is not None and reply_due < day:
        raise ValidationError({"reply_due": _("The reply cannot be due before it was sent.")})

    def apply(c: CollaborationDeviation) -> list[str]:
        c.sent_on = day
        c.reply_due = reply_due or deadlines.add_months(day, c.counterpart.reply_months)
        return ["sent_on", "reply_due"]

    return COLLABORATIONS.move(case, move=CollaborationMove.SEND, actor=user, version=version, apply=apply)


def collaboration_record_reply(
    *, case: CollaborationDeviation, user, version: int | None, reply_on: date | None, reply: str
) -> CollaborationDeviation:
    """Register the counterpart's reply: its date and content."""
    reply = _required(reply, "reply", _("Write what the counterpart replied."))
    day = _collab_date(reply_on, "reply_on", not_before=case.sent_on, message=_("Enter the date of the reply."))

    def apply(c: CollaborationDeviation) -> list[str]:
        c.reply_on, c.reply = day, reply
        return ["reply_on", "reply"]

    return COLLABORATIONS.move(case, move=CollaborationMove.RECORD_REPLY, actor=user, version=version, apply=apply)


def collaboration_forward(
    *, case: CollaborationDeviation, user, version: int | None, reason: str = ""
) -> CollaborationDeviation:
    """Forward an incoming deviation to the unit's verksamhetschef (resolved on the event date), who is told."""

    def apply(c: CollaborationDeviation) -> list[str]:
        c.forwarded_on = timezone.localdate()
        return ["forwarded_on"]

    moved = COLLABORATIONS.move(
        case,
        move=CollaborationMove.FORWARD,
        actor=user,
        version=version,
        apply=apply,
        reason=reason,
    )
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "reference": moved.reference,
            "unit": moved.unit.name,
            "date": moved.reply_due.isoformat() if moved.reply_due else "–",
        }
        notify(
            recipients=_users([moved.operations_manager]),
            kind="collaboration_forwarded",
            subject=_("Collaboration deviation %(reference)s about %(unit)s: answer by %(date)s") % values,
            link=moved.get_absolute_url(),
            dedupe_key=f"collaboration:{moved.pk}:forwarded",
        )
    return moved


def collaboration_answer(
    *, case: CollaborationDeviation, user, version: int | None, reply: str
) -> CollaborationDeviation:
    """The unit's answer to an incoming deviation (the MAS then assesses and sends it)."""
    reply = _required(reply, "reply", _("Write the unit's answer."))

    def apply(c: CollaborationDeviation) -> list[str]:
        c.reply, c.reply_on = reply, timezone.localdate()
        return ["reply", "reply_on"]

    return COLLABORATIONS.move(case, move=CollaborationMove.ANSWER, actor=user, version=version, apply=apply)


def collaboration_close(
    *, case: CollaborationDeviation, user, version: int | None, assessment: str, sent_on: date | None = None
) -> CollaborationDeviation:
    """The MAS's assessment (of the reply, or of the unit's answer, which she sends on ``sent_on``), closed."""
    assessment = _required(assessment, "assessment", _("Write your assessment."))
    if case.direction == Direction.INCOMING:
        sent_on = _collab_date(
            sent_on,
            "sent_on",
            not_before=case.received_on,
            message=_("Enter the date the answer was sent to the counterpart."),
        )

    def apply(c: CollaborationDeviation) -> list[str]:
        c.assessment = assessment
        if c.direction == Direction.INCOMING:
            c.sent_on = sent_on
            return ["assessment", "sent_on"]
        return ["assessment"]

    return COLLABORATIONS.move(case, move=CollaborationMove.CLOSE, actor=user, version=version, apply=apply)


def collaboration_link_deviation(
    *, case: CollaborationDeviation, user, version: int | None, reference: str
) -> CollaborationDeviation:
    """Link an internal deviation (by its reference) the user may see."""
    found = _visible_deviation(user=user, municipality_id=case.municipality_id, reference=reference)

    def apply(c: CollaborationDeviation) -> list[str]:
        c.deviation = found
        return ["deviation"]

    return COLLABORATIONS.edit(
        case,
        actor=user,
        version=version,
        actors=(Actor.DUTY,),
        states=COLLABORATION_OPEN_STATES + (VS.CLOSED,),
        apply=apply,
    )


def counterpart_save(*, user, municipality_id: int | None, counterpart: Counterpart | None, **values) -> Counterpart:
    """Create or change a counterpart (its contact and reply time are data, never code)."""
    from complaints.permissions import may_manage_counterparts

    if municipality_id is None or not may_manage_counterparts(user):
        raise PermissionDenied(_("Only MAS and MAR manage counterparts."))
    counterpart = counterpart or Counterpart(municipality_id=municipality_id)
    if counterpart.municipality_id != municipality_id:
        raise PermissionDenied(_("Only MAS and MAR manage counterparts."))
    for name, value in values.items():
        setattr(counterpart, name, value)
    counterpart.full_clean(exclude=["municipality"])
    counterpart.save()
    return counterpart


def overdue_since(due_at: datetime | None, *, now: datetime | None = None) -> bool:
    return bool(due_at and due_at < (now or timezone.now()))


# --- "Ansvar oklart": re-routing once the register resolves ------------------------------------------


def _reroute(case, *, on: date, rehabilitation: bool, transition_model, case_field: str, prefix: str) -> bool:
    """Give an open "Ansvar oklart" case to the MAS/MAR the register now resolves on its date.

    A history row by "Systemet" (actor None); the one who held it and the one who gets it are told.
    """
    route = routing.route(unit=case.unit_id, on=on, rehabilitation=rehabilitation)
    new_id = route.duty_holder.pk if route.duty_holder is not None else None
    if route.unclear_reason and new_id == case.mas_person_id:
        return False
    before = _users([case.mas_person])
    case.mas_person, case.mas_unclear_reason = route.duty_holder, route.unclear_reason
    fields = ["mas_person", "mas_unclear_reason", "version", "updated_at"]
    if hasattr(case, "mas_role"):
        case.mas_role = route.duty_role
        fields.append("mas_role")
    case.version += 1
    case.save(update_fields=fields)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Re-routed when the register was corrected.")
        values = {"reference": case.reference, "unit": case.unit.name}
        subject = _("%(reference)s about %(unit)s has been re-routed") % values
    transition_model.objects.create(
        **{case_field: case}, from_state=case.state, to_state=case.state, actor=None, reason=reason
    )
    notify(
        recipients={u.pk: u for u in [*before, *_users([route.duty_holder])]}.values(),
        kind=f"{prefix}_rerouted",
        subject=subject,
        body=reason,
        link=case.get_absolute_url(),
        dedupe_key=f"{prefix}:{case.pk}:rerouted:{case.version}",
    )
    return True


def complaint_reroute(*, complaint: Complaint) -> bool:
    """Re-route an open "Ansvar oklart" complaint on its date received; whether anything changed."""
    with transaction.atomic():
        locked = lock(Complaint.objects.select_related("unit", "mas_person__user"), complaint.pk)
        if not locked.mas_unclear_reason or locked.state not in COMPLAINT_OPEN_STATES:
            return False
        rehabilitation = locked.categories.filter(is_rehabilitation=True).exists()
        return _reroute(
            locked,
            on=locked.received_on,
            rehabilitation=rehabilitation,
            transition_model=ComplaintTransition,
            case_field="complaint",
            prefix="complaint",
        )


def collaboration_reroute(*, case: CollaborationDeviation) -> bool:
    """Re-route an open "Ansvar oklart" collaboration deviation on its event date; whether anything changed."""
    with transaction.atomic():
        locked = lock(CollaborationDeviation.objects.select_related("unit", "mas_person__user"), case.pk)
        if not locked.mas_unclear_reason or locked.state not in COLLABORATION_OPEN_STATES:
            return False
        return _reroute(
            locked,
            on=locked.occurred_on,
            rehabilitation=False,
            transition_model=CollaborationTransition,
            case_field="deviation",
            prefix="collaboration",
        )
