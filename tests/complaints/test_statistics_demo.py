"""Figures for dashboards and reports compared with independent counts; the demo is complete and idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from complaints import collaboration_services, services, statistics, workflow
from complaints.models import CollaborationDeviation, Complaint, ComplaintTransition, Counterpart
from responsibility.models import Unit
from tests.complaints.helpers import collaboration, complaint
from tests.factories import user

pytestmark = pytest.mark.django_db


def stockholm_units() -> list[int]:
    return list(Unit.objects.filter(municipality__code="stockholm").values_list("pk", flat=True))


def test_complaint_figures_count_by_category_unit_outcome_with_answer_times():
    Complaint.objects.all().delete()
    today = timezone.localdate()
    a = complaint(days_ago=20, categories=("lakemedel", "bemotande"))
    b = complaint(days_ago=10, categories=("lakemedel",), unit_code="skar-01")
    complaint(days_ago=40)  # not answered, overdue
    a = services.complaint_answer(
        complaint=a,
        user=user("mas"),
        version=a.version,
        answer="Svar.",
        answered_on=today - timedelta(days=5),
        method="letter",
    )
    services.complaint_close(complaint=a, user=user("mas"), version=a.version, outcome="founded")
    services.complaint_answer(
        complaint=b, user=user("mas"), version=b.version, answer="Svar.", answered_on=today, method="phone"
    )
    f = statistics.complaint_figures(unit_ids=stockholm_units(), start=today - timedelta(days=60), end=today)
    assert (f.total, f.answered, f.answered_in_time, f.overdue, f.open) == (3, 2, 2, 1, 1)
    assert f.median_answer_days == 12.5  # 15 and 10 days
    assert dict(f.by_category)["Läkemedel"] == 2
    assert dict(f.by_category)["Bemötande"] == 1
    assert dict(f.by_unit) == {"Ekbacken vård- och omsorgsboende": 2, "Ekängen vård- och omsorgsboende": 1}
    assert dict(f.by_outcome) == {"Befogat": 1}
    scoped = statistics.complaint_figures(
        unit_ids=[Unit.objects.get(code="skar-01").pk], start=today - timedelta(days=60), end=today
    )
    assert scoped.total == 1


def test_collaboration_figures_per_counterpart_and_agreement():
    CollaborationDeviation.objects.all().delete()
    today = timezone.localdate()
    sent = collaboration(days_ago=90)
    collaboration_services.collaboration_send(
        case=sent, user=user("mas"), version=sent.version, sent_on=today - timedelta(days=80)
    )  # reply overdue
    replied = collaboration(days_ago=30)
    replied = collaboration_services.collaboration_send(
        case=replied, user=user("mas"), version=replied.version, sent_on=today - timedelta(days=20)
    )
    collaboration_services.collaboration_record_reply(
        case=replied, user=user("mas"), version=replied.version, reply_on=today - timedelta(days=6), reply="Svar."
    )
    collaboration(direction="incoming", days_ago=3)
    collaboration(counterpart_code="huslakare-hagersten", days_ago=2)
    f = statistics.collaboration_figures(unit_ids=stockholm_units(), start=today - timedelta(days=100), end=today)
    assert (f.total, f.outgoing, f.incoming, f.overdue) == (4, 3, 1, 1)
    region = next(c for c in f.per_counterpart if c.name == "Region Stockholm")
    assert (region.outgoing, region.incoming, region.replies_received, region.overdue_replies) == (2, 1, 1, 1)
    assert region.median_reply_days == 14.0


def test_board_official_figures_cover_only_the_boards_units(client):
    """Hägersten-Liljeholmen's official counts that board's complaints, not Skärholmen's."""
    today = timezone.localdate()
    complaint(unit_code="hage-01")
    complaint(unit_code="skar-01")
    data = statistics.for_user(user=user("tjansteman"), year=today.year)
    expected = Complaint.objects.filter(
        unit__board__code="hagersten-liljeholmen", received_on__gte=date(today.year, 1, 1)
    ).count()
    assert data.complaints.total == expected


def test_demo_has_the_cases_the_issue_asks_for_and_loads_twice_without_change():
    counts = (
        Complaint.objects.count(),
        CollaborationDeviation.objects.count(),
        ComplaintTransition.objects.count(),
        Counterpart.objects.count(),
    )
    now = timezone.now()
    assert Complaint.objects.filter(state__in=workflow.COMPLAINT_OPEN_STATES, due_at__lt=now).count() >= 2
    assert Complaint.objects.filter(channel="ivo", external_deadline__isnull=False).exists()
    assert Complaint.objects.filter(deviation__isnull=False).exists()
    assert CollaborationDeviation.objects.filter(direction="outgoing", contract__kind="physician").exists()
    assert CollaborationDeviation.objects.filter(direction="incoming", counterpart__kind="region").exists()
    call_command("load_demo", verbosity=0)
    assert counts == (
        Complaint.objects.count(),
        CollaborationDeviation.objects.count(),
        ComplaintTransition.objects.count(),
        Counterpart.objects.count(),
    )


def test_reports_show_complaints_and_collaboration_from_the_data():
    """The Avvikelserapport has a section each; the patientsäkerhetsberättelse's sections hold the same counts."""
    from reports.builders import ReportParams, build_report
    from reports.choices import ReportKind
    from reports.scopes import parse_scope

    today = timezone.localdate()
    start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    scope = parse_scope("board:hagersten-liljeholmen")
    expected = Complaint.objects.filter(
        unit__board__code="hagersten-liljeholmen", received_on__gte=start, received_on__lte=end
    ).count()
    assert expected > 0
    report = build_report(
        params=ReportParams(kind=ReportKind.DEVIATIONS, scope=scope, period_from=start, period_to=end),
        produced_by="MAS",
    )
    section = next(s for s in report.sections if s.heading == "Klagomål")
    assert section.figures[0].value == expected
    collab = next(s for s in report.sections if s.heading == "Samverkansavvikelser")
    region = next(r for r in collab.tables[0].rows if r[0] == "Region Stockholm")
    assert (
        region[1]
        == CollaborationDeviation.objects.filter(
            unit__board__code="hagersten-liljeholmen",
            counterpart__code="region-stockholm",
            direction="outgoing",
            occurred_on__gte=start,
        ).count()
    )
    psb = build_report(
        params=ReportParams(
            kind=ReportKind.PATIENT_SAFETY, scope=scope, period_from=start, period_to=end, year=today.year
        ),
        produced_by="MAS",
    )
    own = Complaint.objects.filter(
        unit__provider__board__code="hagersten-liljeholmen", received_on__gte=start, received_on__lte=end
    ).count()  # the municipal vårdgivare's own units
    complaints_section = next(s for s in psb.sections if s.heading == "Klagomål och synpunkter")
    assert complaints_section.figures[0].value == own
    assert any(t.key == "ps_collaboration_counterpart" for s in psb.sections for t in s.tables)
