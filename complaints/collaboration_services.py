"""Writes of collaboration deviations (SPEC §6a) and their counterparts: register, send, reply, close, link.

Every move goes through the collaboration table (:data:`complaints.workflow.COLLABORATIONS`);
references ``SV-YYYY-NNNNNN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import routing
from complaints.choices import CollaborationState, Direction
from complaints.models import CollaborationDeviation, CollaborationTransition, Counterpart
from complaints.permissions import Actor, collaboration_units
from complaints.services import visible_deviation
from complaints.workflow import COLLABORATION_OPEN_STATES, COLLABORATIONS, CollaborationMove, collaboration_due
from core.calendar import add_months
from core.services import notify
from core.users import logins_of
from core.validation import entered_date, required_text
from incidents import reporting as deviation_reporting
from incidents.models import DeviationCategory
from responsibility.choices import ContractKind
from responsibility.models import Contract, Unit

VS = CollaborationState


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
            case.reply_due = data.reply_due or add_months(data.received_on, data.counterpart.reply_months)
        case.reference = deviation_reporting.next_reference(
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
    return entered_date(
        value,
        name,
        required_message=message,
        not_before=not_before,
        before_message=_("The date cannot be before the event."),
    )


def collaboration_send(
    *, case: CollaborationDeviation, user, version: int | None, sent_on: date | None, reply_due: date | None = None
) -> CollaborationDeviation:
    """Record that the deviation was sent to the counterpart's contact; the reply is due after its months."""
    day = _collab_date(sent_on, "sent_on", not_before=case.occurred_on, message=_("Enter the date it was sent."))
    if reply_due is not None and reply_due < day:
        raise ValidationError({"reply_due": _("The reply cannot be due before it was sent.")})

    def apply(c: CollaborationDeviation) -> list[str]:
        c.sent_on = day
        c.reply_due = reply_due or add_months(day, c.counterpart.reply_months)
        return ["sent_on", "reply_due"]

    return COLLABORATIONS.move(case, move=CollaborationMove.SEND, actor=user, version=version, apply=apply)


def collaboration_record_reply(
    *, case: CollaborationDeviation, user, version: int | None, reply_on: date | None, reply: str
) -> CollaborationDeviation:
    """Register the counterpart's reply: its date and content."""
    reply = required_text(reply, "reply", _("Write what the counterpart replied."))
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
            recipients=logins_of([moved.operations_manager]),
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
    reply = required_text(reply, "reply", _("Write the unit's answer."))

    def apply(c: CollaborationDeviation) -> list[str]:
        c.reply, c.reply_on = reply, timezone.localdate()
        return ["reply", "reply_on"]

    return COLLABORATIONS.move(case, move=CollaborationMove.ANSWER, actor=user, version=version, apply=apply)


def collaboration_close(
    *, case: CollaborationDeviation, user, version: int | None, assessment: str, sent_on: date | None = None
) -> CollaborationDeviation:
    """The MAS's assessment (of the reply, or of the unit's answer, which she sends on ``sent_on``), closed."""
    assessment = required_text(assessment, "assessment", _("Write your assessment."))
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
    found = visible_deviation(user=user, municipality_id=case.municipality_id, reference=reference)

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
