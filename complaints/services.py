"""Writes of complaints (SPEC §6a): register, correct, move, link or start a deviation.

Every move goes through the complaint table (:data:`complaints.workflow.COMPLAINTS`).
Patient identity uses the deviation workflow's code (:mod:`incidents.patient`),
references its counter (``KL-YYYY-NNNNNN``). Collaboration deviations are
:mod:`complaints.collaboration_services`; re-routing "Ansvar oklart" cases :mod:`complaints.rerouting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints import deadlines, routing
from complaints.choices import ComplaintState, Outcome
from complaints.models import Complaint, ComplaintCategory, ComplaintTransition
from complaints.permissions import can_see_patient_data, complaint_kinds, complaint_units
from complaints.workflow import (
    COMPLAINT_EDIT_STATES,
    COMPLAINT_OPEN_STATES,
    COMPLAINTS,
    HANDLERS,
    ComplaintMove,
    complaint_due,
)
from core.services import notify
from core.transitions import StaleError, TransitionError, lock
from core.users import logins_of
from core.validation import entered_date, required_text
from incidents import patient
from incidents import patient_access as deviation_patient_access
from incidents import reporting as deviation_reporting
from incidents.models import Deviation, DeviationCategory
from responsibility.models import Municipality, Unit

CS = ComplaintState


def settings_for(municipality: Municipality | int) -> Municipality:
    """The municipality, whose fields hold the complaint deadlines (``acknowledge_working_days``,
    ``answer_weeks``, ``reply_months``, ``complaint_reminder_days_before``)."""
    if isinstance(municipality, Municipality):
        return municipality
    return Municipality.objects.get(pk=municipality)


def complaint_patient_identifier(*, user, complaint: Complaint, kinds: frozenset[str] | None = None) -> str:
    """The patient's personnummer of ``complaint`` for ``user``, entered in the access log (PDL 4 kap. 3 §).

    "" when it holds none; ``PermissionDenied`` (and nothing logged) when ``user`` may not read it.
    """
    if not complaint.has_patient_data:
        return ""
    if not can_see_patient_data(user=user, case=complaint, kinds=kinds):
        raise PermissionDenied(_("You may not see the patient's identity."))
    pnr = patient.format_personnummer(patient.decrypt_identifier(complaint.patient_identifier_encrypted))
    deviation_patient_access.log_patient_access(
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
        complaint.reference = deviation_reporting.next_reference(
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
                recipients=logins_of([route.operations_manager, route.duty_holder]),
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


def _check_date(value: date | None, name: str, *, not_before: date, required_message: str) -> date:
    return entered_date(
        value,
        name,
        required_message=required_message,
        not_before=not_before,
        before_message=_("The date cannot be before the complaint was received."),
    )


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
    answer = required_text(answer, "answer", _("Write what the complainant was told."))
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
    reason = required_text(reason, "reason", _("Say why the complaint is reopened."))
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


def visible_deviation(*, user, municipality_id: int, reference: str) -> Deviation:
    """The deviation of ``reference`` in the municipality, if ``user`` may see it (else a form error)."""
    from incidents.selectors import deviations_visible_to

    reference = required_text(reference, "reference", _("Enter the deviation's reference."))
    found = (
        deviations_visible_to(user=user).filter(municipality_id=municipality_id, reference__iexact=reference).first()
    )
    if found is None:
        raise ValidationError({"reference": _("No deviation with that reference that you may see.")})
    return found


def complaint_link_deviation(*, complaint: Complaint, user, version: int | None, reference: str) -> Complaint:
    """Link a deviation (by its reference) the user may see, of the complaint's municipality."""
    found = visible_deviation(user=user, municipality_id=complaint.municipality_id, reference=reference)

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
        draft = deviation_reporting.deviation_save(
            user=user,
            submit=False,
            report=deviation_reporting.Report(
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
