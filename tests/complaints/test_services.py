"""Complaint and collaboration services: every transition, deadlines, routing on the date received, links."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from complaints import collaboration_services, deadlines, services
from complaints.models import CollaborationTransition, Complaint, ComplaintTransition
from core.calendar import add_months
from core.transitions import StaleError, TransitionError
from incidents import patient
from incidents.models import Deviation
from responsibility.choices import Role
from responsibility.models import Assignment, Person
from tests.complaints.helpers import VALID_PNR, collaboration, complaint
from tests.factories import user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def states(c) -> list[tuple[str, str]]:
    model = ComplaintTransition if isinstance(c, Complaint) else CollaborationTransition
    field = "complaint" if isinstance(c, Complaint) else "deviation"
    return list(model.objects.filter(**{field: c}).values_list("from_state", "to_state"))


# --- deadlines ---------------------------------------------------------------------------------


def test_acknowledgement_is_due_five_working_days_after_receipt_skipping_the_weekend():
    """Received Monday 23 Nov 2026: confirm by Monday 30 Nov; received Friday 27 Nov: by Friday 4 Dec."""
    assert deadlines.acknowledge_due(received_on=date(2026, 11, 23), working_days=5) == date(2026, 11, 30)
    assert deadlines.acknowledge_due(received_on=date(2026, 11, 27), working_days=5) == date(2026, 12, 4)


def test_acknowledgement_skips_swedish_holidays_and_eves_by_the_municipality_setting():
    """Received Tuesday 22 Dec 2026: julafton, juldagen, nyårsafton and nyårsdagen do not count (23, 28, 29,
    30 December, 4 January); where the eves are working days, 24 and 31 December count (23, 24, 28, 29, 30)."""
    municipality = user("mas").person.municipality
    assert deadlines.acknowledge_due(received_on=date(2026, 12, 22), working_days=5, municipality=municipality) == date(
        2027, 1, 4
    )
    municipality.eves_are_non_working = False
    assert deadlines.acknowledge_due(received_on=date(2026, 12, 22), working_days=5, municipality=municipality) == date(
        2026, 12, 30
    )


def test_answer_is_due_four_weeks_after_receipt_unless_ivo_set_a_date():
    """Default four calendar weeks; a complaint forwarded by IVO is due on IVO's date instead."""
    assert deadlines.answer_due(received_on=date(2026, 11, 2), weeks=4) == date(2026, 11, 30)
    assert deadlines.answer_due(received_on=date(2026, 11, 2), weeks=4, external_deadline=date(2026, 11, 20)) == date(
        2026, 11, 20
    )


def test_reply_months_are_calendar_months_ending_on_the_last_day_of_a_short_month():
    assert add_months(date(2026, 12, 15), 2) == date(2027, 2, 15)
    assert add_months(date(2026, 12, 31), 2) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_registered_complaint_gets_reference_deadlines_from_the_municipality_settings():
    """KL-YYYY-NNNNNN from the counter; the settings' working days and weeks decide the deadlines."""
    conf = services.settings_for(user("mas").person.municipality_id)
    conf.acknowledge_working_days, conf.answer_weeks = 3, 2
    conf.save()
    received = date(2026, 11, 23)
    c = complaint(received_on=received)
    assert c.reference.startswith(f"KL-{TODAY().year}-")
    assert c.reference != complaint(received_on=received).reference
    assert c.acknowledge_due == date(2026, 11, 26)
    assert c.answer_due == date(2026, 12, 7)
    assert c.due_at == deadlines.end_of_day(date(2026, 11, 26))


def test_ivo_complaint_needs_ivo_date_and_is_due_then():
    with pytest.raises(ValidationError) as exc:
        complaint(channel="ivo")
    assert "external_deadline" in exc.value.error_dict
    due = TODAY() + timedelta(days=9)
    c = complaint(channel="ivo", external_deadline=due)
    assert c.answer_due == due


def test_bad_input_is_refused_with_every_field_named():
    with pytest.raises(ValidationError) as exc:
        services.complaint_register(
            user=user("mas"),
            data=services.ComplaintInput(
                unit=None,
                received_on=TODAY() + timedelta(days=1),
                channel="",
                complainant_kind="",
                description=" ",
                patient_identifier="19121212-1213",
            ),
        )
    assert set(exc.value.error_dict) == {
        "unit",
        "received_on",
        "channel",
        "complainant_kind",
        "categories",
        "description",
        "patient_identifier",
    }


# --- routing ------------------------------------------------------------------------------------


def test_routing_uses_the_register_on_the_date_received_not_today():
    """A new verksamhetschef from ten days ago gets complaints received since, not one received before."""
    today = TODAY()
    new_vc = Person.objects.create(
        municipality=user("mas").person.municipality, first_name="Nina", last_name="Ny", profession="manager"
    )
    from responsibility.models import Unit

    Assignment.objects.create(
        person=new_vc,
        role=Role.OPERATIONS_MANAGER,
        unit=Unit.objects.get(code="hage-01"),
        valid_from=today - timedelta(days=10),
    )
    old = complaint(days_ago=20)
    new = complaint(days_ago=5)
    assert old.operations_manager == user("verksamhetschef").person
    assert new.operations_manager == new_vc
    assert old.mas_person == user("mas").person  # health care: the region's MAS


def test_complaint_not_about_health_care_goes_to_the_verksamhetschef_only():
    c = complaint(categories=("bemotande",))
    assert c.operations_manager == user("verksamhetschef").person
    assert c.mas_person is None


def test_rehabilitation_complaint_goes_to_the_mar():
    c = complaint(categories=("rehabilitering",))
    assert c.mas_person == user("mar").person
    assert c.mas_role == Role.MAR


# --- complaint transitions ------------------------------------------------------------------------


def test_every_complaint_move_in_order_records_actor_and_reason():
    c = complaint(days_ago=3)
    vc = user("verksamhetschef")
    c = services.complaint_acknowledge(complaint=c, user=vc, version=c.version, acknowledged_on=TODAY())
    assert c.state == "acknowledged"
    assert c.acknowledged_on == TODAY()
    assert c.due_at == deadlines.end_of_day(c.answer_due)
    c = services.complaint_start_investigation(complaint=c, user=vc, version=c.version)
    assert c.state == "investigating"
    assert c.investigator == vc
    c = services.complaint_save_investigation(
        complaint=c, user=vc, version=c.version, investigation="Genomgång.", actions="Ny rutin."
    )
    c = services.complaint_answer(
        complaint=c,
        user=vc,
        version=c.version,
        answer="Vi förklarade.",
        answered_on=TODAY(),
        method="phone",
        informed_patient_board=True,
    )
    assert c.state == "answered"
    assert c.due_at is None
    assert c.informed_patient_board
    c = services.complaint_reopen(complaint=c, user=user("mas"), version=c.version, reason="Nya uppgifter.")
    assert c.state == "investigating"
    c = services.complaint_answer(
        complaint=c, user=vc, version=c.version, answer="Kompletterat svar.", answered_on=TODAY(), method="letter"
    )
    c = services.complaint_close(complaint=c, user=vc, version=c.version, outcome="partly_founded")
    assert c.state == "closed"
    assert c.closed_at is not None
    assert c.outcome == "partly_founded"
    assert states(c) == [
        ("registered", "registered"),
        ("registered", "acknowledged"),
        ("acknowledged", "investigating"),
        ("investigating", "answered"),
        ("answered", "investigating"),
        ("investigating", "answered"),
        ("answered", "closed"),
    ]
    last = ComplaintTransition.objects.filter(complaint=c).last()
    assert last.actor == vc
    assert last.reason


def test_answer_directly_from_registered_also_confirms_receipt():
    """A phone complaint answered at once: the answer is the confirmation."""
    c = complaint()
    c = services.complaint_answer(
        complaint=c,
        user=user("mas"),
        version=c.version,
        answer="Förklarat i telefon.",
        answered_on=TODAY(),
        method="phone",
    )
    assert c.state == "answered"
    assert c.acknowledged_on == TODAY()


def test_refused_moves_change_nothing():
    c = complaint()
    with pytest.raises(TransitionError):
        services.complaint_close(complaint=c, user=user("mas"), version=c.version, outcome="founded")
    with pytest.raises(PermissionDenied):
        services.complaint_acknowledge(complaint=c, user=user("rapportor"), version=c.version, acknowledged_on=TODAY())
    with pytest.raises(PermissionDenied):  # another provider's MAS
        services.complaint_acknowledge(
            complaint=c, user=user("entreprenor-mas"), version=c.version, acknowledged_on=TODAY()
        )
    with pytest.raises(StaleError):
        services.complaint_acknowledge(
            complaint=c, user=user("mas"), version=c.version - 1 if c.version else 99, acknowledged_on=TODAY()
        )
    with pytest.raises(ValidationError):
        services.complaint_acknowledge(
            complaint=c, user=user("mas"), version=c.version, acknowledged_on=c.received_on - timedelta(days=1)
        )
    c.refresh_from_db()
    assert c.state == "registered"
    assert c.acknowledged_on is None
    assert len(states(c)) == 1


def test_running_a_move_twice_is_harmless():
    c = complaint()
    c = services.complaint_acknowledge(complaint=c, user=user("mas"), version=None, acknowledged_on=TODAY())
    again = services.complaint_acknowledge(complaint=c, user=user("mas"), version=None, acknowledged_on=TODAY())
    assert again.state == "acknowledged"
    assert len(states(c)) == 2


# --- complaint → deviation ----------------------------------------------------------------------


def test_complaint_starts_a_prefilled_draft_deviation_linked_to_it():
    """One click: a draft for the same unit, category mapped, text and patient copied; linked both ways."""
    c = complaint(pnr=VALID_PNR, categories=("lakemedel",))
    draft = services.complaint_start_deviation(complaint=c, user=user("mas"), version=c.version)
    c.refresh_from_db()
    assert c.deviation == draft
    assert draft.state == "draft"
    assert draft.reporter == user("mas")
    assert draft.unit_id == c.unit_id
    assert draft.category.code == "lakemedel"
    assert c.reference in draft.description
    assert draft.patient_hash == patient.patient_hash(VALID_PNR)
    with pytest.raises(TransitionError):
        services.complaint_start_deviation(complaint=c, user=user("mas"), version=c.version)
    assert Deviation.objects.filter(reporter=user("mas"), state="draft", pk=draft.pk).count() == 1


def test_a_deviation_is_linked_by_reference_only_when_the_user_may_see_it():
    c = complaint()
    visible = Deviation.objects.filter(unit__code="hage-01").exclude(state="draft").first()
    from incidents.selectors import deviations_visible_to

    seen = deviations_visible_to(user=user("verksamhetschef")).values("pk")
    hidden = Deviation.objects.exclude(pk__in=seen).exclude(state="draft").first()
    with pytest.raises(ValidationError):
        services.complaint_link_deviation(
            complaint=c, user=user("verksamhetschef"), version=c.version, reference=hidden.reference
        )
    c = services.complaint_link_deviation(
        complaint=c, user=user("verksamhetschef"), version=c.version, reference=visible.reference.lower()
    )
    assert c.deviation == visible


# --- collaboration deviations ----------------------------------------------------------------------


def test_outgoing_collaboration_is_sent_replied_assessed_and_closed():
    case = collaboration()
    mas = user("mas")
    sent = TODAY() - timedelta(days=1)
    case = collaboration_services.collaboration_send(case=case, user=mas, version=case.version, sent_on=sent)
    assert case.state == "sent"
    assert case.reply_due == add_months(sent, 2)
    assert case.due_at == deadlines.end_of_day(case.reply_due)
    case = collaboration_services.collaboration_record_reply(
        case=case, user=mas, version=case.version, reply_on=TODAY(), reply="Regionen har åtgärdat."
    )
    assert case.state == "replied"
    assert case.due_at is None
    case = collaboration_services.collaboration_close(
        case=case, user=mas, version=case.version, assessment="Tillräckligt."
    )
    assert case.state == "closed"
    assert case.closed_at is not None
    assert states(case) == [
        ("registered", "registered"),
        ("registered", "sent"),
        ("sent", "replied"),
        ("replied", "closed"),
    ]


def test_incoming_collaboration_is_forwarded_answered_by_the_unit_and_closed_by_the_mas():
    case = collaboration(direction="incoming", days_ago=3)
    assert case.reply_due == add_months(case.received_on, 2)
    vc = user("verksamhetschef")
    with pytest.raises(PermissionDenied):  # not the unit's before the MAS forwards it
        collaboration_services.collaboration_answer(case=case, user=vc, version=case.version, reply="x")
    case = collaboration_services.collaboration_forward(case=case, user=user("mas"), version=case.version)
    assert case.state == "forwarded"
    assert case.forwarded_on == TODAY()
    case = collaboration_services.collaboration_answer(case=case, user=vc, version=case.version, reply="Rutin införd.")
    assert case.state == "replied"
    with pytest.raises(PermissionDenied):
        collaboration_services.collaboration_close(
            case=case, user=vc, version=case.version, assessment="x", sent_on=TODAY()
        )
    case = collaboration_services.collaboration_close(
        case=case, user=user("mas"), version=case.version, assessment="Skickat.", sent_on=TODAY()
    )
    assert case.state == "closed"
    assert case.sent_on == TODAY()


def test_collaboration_moves_of_the_other_direction_are_refused():
    case = collaboration()
    with pytest.raises(TransitionError):
        collaboration_services.collaboration_forward(case=case, user=user("mas"), version=case.version)
    case.refresh_from_db()
    assert case.state == "registered"


def test_counterpart_reply_months_decide_the_deadline():
    case = collaboration(counterpart_code="huslakare-hagersten")
    case = collaboration_services.collaboration_send(case=case, user=user("mas"), version=case.version, sent_on=TODAY())
    assert case.reply_due == add_months(TODAY(), 1)


# --- layers -----------------------------------------------------------------------------------


def test_incidents_never_imports_complaints():
    """complaints may import incidents' public functions; incidents must not import complaints."""
    root = Path(__file__).resolve().parents[2] / "incidents"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "complaints"]
    assert offenders == []
