"""Demo complaints and collaboration deviations (SPEC §6a, §9). Idempotent.

Each demo case has a reference of its own series (``KL-YYYY-9NNNNN``,
``SV-YYYY-9NNNNN``): a second run finds it and creates nothing. Routing is
resolved from the register on the date received, as for real cases. Some
complaints are overdue, one was forwarded by IVO, one started a deviation;
collaboration deviations go both ways with Region Stockholm, linked to the
demo's läkarmedverkan agreement.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from complaints import deadlines, routing
from complaints.choices import (
    AnswerMethod,
    CollaborationState,
    ComplaintState,
    Direction,
    Outcome,
)
from complaints.demo_data import (
    CATEGORIES,
    COLLABORATIONS,
    COMPLAINTS,
    COUNTERPARTS,
    DEMO_PNR,
    SERIES_START,
)
from complaints.models import (
    CollaborationDeviation,
    CollaborationTransition,
    Complaint,
    ComplaintCategory,
    ComplaintTransition,
    Counterpart,
)
from complaints.services import settings_for
from complaints.workflow import collaboration_due, complaint_due
from core.calendar import add_months
from incidents import patient
from incidents.models import Deviation, DeviationCategory
from responsibility.choices import ContractKind
from responsibility.models import Contract, Municipality, Unit


def _user_of(person):
    """The login of the person (the verksamhetschef registers the unit's complaints in the demo), or None."""
    return person.user if person is not None and person.user_id is not None else None


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def load(*, today: date) -> None:
    municipality = Municipality.objects.filter(code="stockholm").first()
    if municipality is None:
        return
    with transaction.atomic():
        conf = settings_for(municipality)
        categories = _categories(municipality)
        counterparts = _counterparts(municipality)
        _complaints(municipality, conf, categories, today)
        _collaborations(municipality, counterparts, today)


def _categories(municipality) -> dict[str, ComplaintCategory]:
    deviation_categories = {c.code: c for c in DeviationCategory.objects.filter(municipality=municipality)}
    found = {}
    for order, (code, name, health, rehab, dev_code) in enumerate(CATEGORIES):
        found[code], _created = ComplaintCategory.objects.get_or_create(
            municipality=municipality,
            code=code,
            defaults={
                "name": name,
                "concerns_health_care": health,
                "is_rehabilitation": rehab,
                "deviation_category": deviation_categories.get(dev_code),
                "order": order,
            },
        )
    return found


def _counterparts(municipality) -> dict[str, Counterpart]:
    found = {}
    for code, name, kind, contact, email, phone, months in COUNTERPARTS:
        found[code], _created = Counterpart.objects.get_or_create(
            municipality=municipality,
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "contact_name": contact,
                "contact_email": email,
                "contact_phone": phone,
                "reply_months": months,
            },
        )
    return found


def _complaints(municipality, conf, categories, today: date) -> None:
    units = {u.code: u for u in Unit.objects.filter(municipality=municipality)}
    for n, spec in enumerate(COMPLAINTS):
        year = today.year - 1 if spec.last_year_on else today.year
        reference = f"KL-{year}-{SERIES_START + n:06d}"
        if Complaint.objects.filter(municipality=municipality, reference=reference).exists():
            continue
        unit = units[spec.unit]
        if spec.last_year_on:
            received = date(today.year - 1, *spec.last_year_on)
        else:
            received = today - timedelta(days=spec.days_ago)
        cats = [categories[c] for c in spec.categories]
        route = routing.route(
            unit=unit,
            on=received,
            rehabilitation=any(c.is_rehabilitation for c in cats),
            health_care=any(c.concerns_health_care for c in cats),
        )
        external = today + timedelta(days=spec.external_deadline_in) if spec.external_deadline_in else None
        handler = _user_of(route.operations_manager)
        complaint = Complaint(
            municipality=municipality,
            reference=reference,
            unit=unit,
            state=spec.state,
            received_on=received,
            channel=spec.channel,
            complainant_kind=spec.complainant,
            description=spec.description,
            registered_by=handler,
            external_case_number=spec.external_case_number,
            external_deadline=external,
            acknowledge_due=deadlines.acknowledge_due(
                received_on=received, working_days=conf.acknowledge_working_days, municipality=municipality
            ),
            answer_due=deadlines.answer_due(received_on=received, weeks=conf.answer_weeks, external_deadline=external),
            concerns_health_care=route.duty_holder is not None or any(c.concerns_health_care for c in cats),
            operations_manager=route.operations_manager,
            mas_person=route.duty_holder,
            mas_unclear_reason=route.unclear_reason,
            mas_role=route.duty_role,
        )
        if spec.acknowledged_after is not None:
            complaint.acknowledged_on = received + timedelta(days=spec.acknowledged_after)
        if spec.state in (ComplaintState.INVESTIGATING, ComplaintState.ANSWERED, ComplaintState.CLOSED):
            complaint.investigator = handler
            complaint.investigation = "Genomgång med personalgruppen och av journalen."
        if spec.answered_after is not None:
            complaint.answered_on = received + timedelta(days=spec.answered_after)
            complaint.answer = "Vi har gått igenom det som hände och förklarat vad vi ändrar."
            complaint.answer_method = AnswerMethod.LETTER
            complaint.actions = "Rutinen har gåtts igenom med all personal."
            complaint.informed_patient_board = complaint.informed_ivo = True
            complaint.informed_compensation = spec.outcome == Outcome.FOUNDED
        if spec.outcome:
            complaint.outcome = spec.outcome
            complaint.closed_at = (
                timezone.make_aware(
                    datetime.combine(received + timedelta(days=(spec.answered_after or 0) + 1), time(10))
                )
                if spec.last_year_on
                else timezone.now()
            )
        if spec.patient:
            complaint.patient_identifier_encrypted = patient.encrypt_identifier(DEMO_PNR)
            complaint.patient_hash = patient.patient_hash(DEMO_PNR)
        if spec.start_deviation:
            # A deviation of the unit that its MAS (the complaint's) assesses: the MAS and the unit see both.
            complaint.deviation = (
                Deviation.objects.filter(unit=unit, mas_person=route.duty_holder, reference__startswith="AV-")
                .exclude(state="draft")
                .order_by("-reference")
                .first()
            )
        complaint.due_at = complaint_due(complaint)
        complaint.save()
        complaint.categories.set(cats)
        path = [ComplaintState.REGISTERED]
        if spec.acknowledged_after is not None:
            path.append(ComplaintState.ACKNOWLEDGED)
        if spec.state in (ComplaintState.INVESTIGATING, ComplaintState.ANSWERED, ComplaintState.CLOSED):
            path.append(ComplaintState.INVESTIGATING)
        if spec.answered_after is not None:
            path.append(ComplaintState.ANSWERED)
        if spec.state == ComplaintState.CLOSED:
            path.append(ComplaintState.CLOSED)
        previous = ComplaintState.REGISTERED
        for state in path:
            ComplaintTransition.objects.create(
                complaint=complaint,
                from_state=previous,
                to_state=state,
                actor=complaint.registered_by if state == ComplaintState.REGISTERED else handler,
                reason="Demodata",
            )
            previous = state


def _collaborations(municipality, counterparts, today: date) -> None:
    mas = _user("mas")
    units = {u.code: u for u in Unit.objects.filter(municipality=municipality)}
    categories = {c.code: c for c in DeviationCategory.objects.filter(municipality=municipality)}
    agreement = Contract.objects.filter(
        municipality=municipality, kind=ContractKind.PHYSICIAN, case_number="SLK 2023/0456"
    ).first()
    for n, spec in enumerate(COLLABORATIONS):
        reference = f"SV-{today.year}-{SERIES_START + n:06d}"
        if CollaborationDeviation.objects.filter(municipality=municipality, reference=reference).exists():
            continue
        unit = units[spec.unit]
        occurred = today - timedelta(days=spec.occurred_days_ago)
        route = routing.route(unit=unit, on=occurred)
        counterpart = counterparts[spec.counterpart]
        case = CollaborationDeviation(
            municipality=municipality,
            reference=reference,
            direction=spec.direction,
            counterpart=counterpart,
            contract=agreement if spec.agreement else None,
            unit=unit,
            category=categories[spec.category],
            state=spec.state,
            occurred_on=occurred,
            description=spec.description,
            registered_by=mas,
            mas_person=route.duty_holder,
            mas_unclear_reason=route.unclear_reason,
            operations_manager=route.operations_manager,
            reply=spec.reply,
            assessment=spec.assessment,
        )

        def ago(days):
            return today - timedelta(days=days) if days is not None else None

        case.sent_on = ago(spec.sent_days_ago)
        case.received_on = ago(spec.received_days_ago)
        case.reply_on = ago(spec.reply_days_ago)
        if spec.direction == Direction.OUTGOING and case.sent_on:
            case.reply_due = add_months(case.sent_on, counterpart.reply_months)
        if spec.direction == Direction.INCOMING:
            case.reply_due = add_months(case.received_on, counterpart.reply_months)
            if spec.state != CollaborationState.REGISTERED:
                case.forwarded_on = case.received_on + timedelta(days=1)
            if spec.state == CollaborationState.CLOSED:
                case.sent_on = case.reply_on
        if spec.state == CollaborationState.CLOSED:
            case.closed_at = timezone.now()
        case.due_at = collaboration_due(case)
        case.save()
        if spec.direction == Direction.OUTGOING:
            path = [
                CollaborationState.REGISTERED,
                CollaborationState.SENT,
                CollaborationState.REPLIED,
                CollaborationState.CLOSED,
            ]
        else:
            path = [
                CollaborationState.REGISTERED,
                CollaborationState.FORWARDED,
                CollaborationState.REPLIED,
                CollaborationState.CLOSED,
            ]
        previous = CollaborationState.REGISTERED
        for state in path[: path.index(spec.state) + 1]:
            actor = (
                _user_of(route.operations_manager)
                if (spec.direction == Direction.INCOMING and state == CollaborationState.REPLIED)
                else mas
            )
            CollaborationTransition.objects.create(
                deviation=case, from_state=previous, to_state=state, actor=actor, reason="Demodata"
            )
            previous = state
