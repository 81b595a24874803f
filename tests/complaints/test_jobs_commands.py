"""Reminder jobs exactly once and the two JSON commands."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints import collaboration_services, services
from complaints.jobs import collaboration_reminders, complaint_reminders
from complaints.models import CollaborationDeviation, CollaborationReminder, Complaint, ComplaintReminder
from core.models import Notification
from core.scheduling import job_order
from tests.complaints.helpers import collaboration, complaint
from tests.factories import user

pytestmark = pytest.mark.django_db


def only(model, keep):
    """Leave only ``keep`` with a deadline (the demo's own are not counted)."""
    model.objects.exclude(pk=keep.pk).update(due_at=None)


def test_reminder_jobs_run_in_the_remind_stage():
    stages = {job.name: job.stage.name for job in job_order()}
    assert stages["complaint_reminders"] == "REMIND"
    assert stages["collaboration_reminders"] == "REMIND"


def test_overdue_complaint_is_reminded_exactly_once():
    """Receipt not confirmed within five working days: one reminder to the verksamhetschef and MAS, never twice."""
    c = complaint(days_ago=12)
    only(Complaint, c)
    today = timezone.localdate()
    first = complaint_reminders(on=today, batch_size=1)
    second = complaint_reminders(on=today, batch_size=1)
    next_day = complaint_reminders(on=today + timedelta(days=1), batch_size=1)
    assert (first["cases"], second["cases"], next_day["cases"]) == (1, 0, 0)
    assert ComplaintReminder.objects.filter(complaint=c, kind="overdue").count() == 1
    notes = Notification.objects.filter(dedupe_key__startswith=f"complaint:{c.pk}:registered:")
    assert set(notes.values_list("recipient__username", flat=True)) == {"verksamhetschef", "mas"}
    assert (
        Notification.objects.filter(dedupe_key__startswith=f"complaint:{c.pk}:", kind="complaint_reminder").count() == 2
    )


def test_a_new_deadline_after_a_move_is_reminded_again_once():
    c = complaint(days_ago=27)
    only(Complaint, c)
    today = timezone.localdate()
    complaint_reminders(on=today, batch_size=10)  # acknowledgement overdue
    c = services.complaint_acknowledge(complaint=c, user=user("mas"), version=c.version, acknowledged_on=today)
    Complaint.objects.filter(pk=c.pk).update(due_at=c.due_at)
    result = complaint_reminders(on=today, batch_size=10)  # the answer is due tomorrow: "before" reminder
    assert result["before"] == 2
    assert result["cases"] == 1
    assert complaint_reminders(on=today, batch_size=10)["cases"] == 0
    assert set(ComplaintReminder.objects.filter(complaint=c).values_list("state", "kind")) == {
        ("registered", "overdue"),
        ("acknowledged", "before"),
    }


def test_overdue_reply_of_a_counterpart_is_reminded_once_to_the_mas():
    case = collaboration(days_ago=80)
    case = collaboration_services.collaboration_send(
        case=case, user=user("mas"), version=case.version, sent_on=timezone.localdate() - timedelta(days=75)
    )
    only(CollaborationDeviation, case)
    today = timezone.localdate()
    assert collaboration_reminders(on=today, batch_size=5)["overdue"] == 1
    assert collaboration_reminders(on=today, batch_size=5)["cases"] == 0
    assert CollaborationReminder.objects.filter(deviation=case).count() == 1
    note = Notification.objects.get(dedupe_key__startswith=f"collaboration:{case.pk}:sent:")
    assert note.recipient.username == "mas"


def run(*args) -> list[dict]:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def test_complaints_queue_command_lists_the_boards_complaints_with_the_named_fields():
    c = complaint(days_ago=40)
    rows = run("complaints_queue", "--board", "hagersten-liljeholmen", "--format", "json")
    row = next(r for r in rows if r["reference"] == c.reference)
    assert row == {
        "reference": c.reference,
        "unit": c.unit.name,
        "state": "registered",
        "received": c.received_on.isoformat(),
        "answer_deadline": c.answer_due.isoformat(),
        "overdue": True,
    }
    other_board = run("complaints_queue", "--board", "skarholmen", "--format", "json")
    assert c.reference not in {r["reference"] for r in other_board}
    closed = run("complaints_queue", "--board", "hagersten-liljeholmen", "--state", "closed", "--format", "json")
    assert {r["state"] for r in closed} == {"closed"}
    assert c.reference not in {r["reference"] for r in closed}
    everything = run("complaints_queue", "--state", "all", "--format", "json")
    assert len(everything) == Complaint.objects.count()


def test_collaboration_command_filters_counterpart_and_direction():
    case = collaboration(direction="incoming", days_ago=3)
    rows = run(
        "collaboration_deviations", "--counterpart", "region-stockholm", "--direction", "incoming", "--format", "json"
    )
    row = next(r for r in rows if r["reference"] == case.reference)
    assert row == {
        "reference": case.reference,
        "counterpart": "region-stockholm",
        "direction": "incoming",
        "state": "registered",
        "sent": None,
        "received": case.received_on.isoformat(),
        "reply_deadline": case.reply_due.isoformat(),
        "overdue": False,
    }
    assert {r["direction"] for r in rows} == {"incoming"}
    outgoing = run("collaboration_deviations", "--direction", "outgoing", "--format", "json")
    assert case.reference not in {r["reference"] for r in outgoing}
    assert outgoing
    assert {r["direction"] for r in outgoing} == {"outgoing"}


def test_complaint_without_a_resolvable_mas_goes_to_the_boards_mas_and_is_rerouted_once_the_register_resolves():
    """Rönnen's contract gives Kastanjen the MAS duty, but it has none (R5): "Ansvar oklart", to the board's
    MAS; once Kastanjen appoints a MAS the job gives the complaint to her, with a history row by the system."""
    from complaints.jobs import reroute_unclear_complaints
    from responsibility.choices import Role
    from responsibility.models import Assignment, Person, Unit

    c = complaint(unit_code="hage-03", days_ago=2)
    assert c.mas_unclear_reason
    assert c.mas_person == user("mas").person
    today = timezone.localdate()
    assert reroute_unclear_complaints(on=today, batch_size=10)["complaints"] == 0
    unit = Unit.objects.get(code="hage-03")
    nurse = Person.objects.create(
        municipality=unit.municipality, first_name="Kim", last_name="Kastanj", profession="nurse", licensed=True
    )
    Assignment.objects.create(
        person=nurse, role=Role.MAS, provider=unit.provider, valid_from=today - timedelta(days=30)
    )
    assert reroute_unclear_complaints(on=today, batch_size=10)["complaints"] == 1
    c.refresh_from_db()
    assert (c.mas_person, c.mas_unclear_reason) == (nurse, "")
    last = c.transitions.last()
    assert last.actor is None
    assert "register" in last.reason or "registret" in last.reason
    assert reroute_unclear_complaints(on=today, batch_size=10)["complaints"] == 0
