"""The patientsäkerhetsberättelse: sections per SOSFS 2011:9 7 kap. with guidance, figures from the data, actions
not completed carried forward, draft → review → adopted with the board's date and paragraph."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from incidents.models import DeviationAction
from reports.builders import ReportParams, build_report
from reports.builders.common import period_bounds
from reports.choices import ReportKind
from reports.models import PatientSafetyNarrative
from reports.scopes import parse_scope
from reports.services import render_pdf
from responsibility.models import CareProvider
from tests.reports.conftest import assert_no_patient_identity, pdf_text
from tests.reports.pdf_layout import page_count

BOARD = "board:hagersten-liljeholmen"
SECTIONS = [
    "Övergripande mål och strategier",
    "Organisatoriskt ansvar för patientsäkerhetsarbetet",
    "Samverkan för att förebygga vårdskador",
    "Riskanalys",
    "Klagomål och synpunkter",
    "Åtgärder som inte genomförts",
    "Mål och strategier för kommande år",
]


def _login(client, username: str) -> None:
    client.force_login(get_user_model().objects.get(username=username))


def _report(year: int):
    scope = parse_scope(BOARD)
    return build_report(
        params=ReportParams(
            kind=ReportKind.PATIENT_SAFETY,
            scope=scope,
            period_from=date(year, 1, 1),
            period_to=date(year, 12, 31),
            year=year,
        ),
        produced_by="MAS",
    )


@pytest.mark.django_db
def test_demo_report_has_every_section_guidance_data_and_contents(seeded, period):
    """Last year's demo report: summary, contents, the SOSFS sections each with guidance, the register with names
    and dates, the year's deviations, and the actions not completed with owner and deadline."""
    year = period[0].year
    data = _report(year)
    headings = [s.heading for s in data.sections]
    for heading in SECTIONS:
        assert heading in headings
    assert all(s.guidance for s in data.sections)
    pdf = render_pdf(data=data)
    text = pdf_text(pdf)
    assert "Sammanfattning" in text
    assert "Innehåll" in text
    assert "I registret sedan" in text
    assert "Margareta Ek" in text  # the demo board's MAS, read from the register
    assert "Klagomål som kom in" in text  # complaints filled from the data (complaints app)
    assert "Samverkansavvikelser per motpart" in text
    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    lo, hi = period_bounds(date(year, 1, 1), date(year, 12, 31))
    open_actions = DeviationAction.objects.filter(
        deviation__unit__provider=provider,
        deviation__occurred_at__gte=lo,
        deviation__occurred_at__lt=hi,
        done_at__isnull=True,
    ).exclude(deviation__state="draft")
    carried = {t.key: t for t in data.tables}["ps_carried"]
    assert len(carried.rows) >= open_actions.count()
    summary = {f.label: f.value for f in data.summary.figures}
    assert summary["Ej genomförda åtgärder, överförda"] == len(carried.rows)
    for action in open_actions:
        assert action.deviation.reference in [row[0] for row in carried.rows]
    assert page_count(pdf) >= 8
    assert_no_patient_identity(text)


@pytest.mark.django_db
def test_the_demo_boards_report_for_last_year_is_a_document_a_namnd_adopts():
    """On the demo alone (no extra seed): last year's report for the demo board fills 10–20 pages from a real
    year of deviations, Lex Maria cases, complaints and follow-ups."""
    year = timezone.localdate().year - 1
    data = _report(year)
    summary = {f.label: f.value for f in data.summary.figures}
    assert summary["Rapporterade avvikelser"] >= 50
    assert summary["Beslutade Lex Maria-ärenden"] >= 2
    assert summary["Klagomål som kom in"] >= 8
    assert 10 <= page_count(render_pdf(data=data)) <= 20


@pytest.mark.django_db
def test_narrative_review_locks_the_text_and_adoption_records_date_and_paragraph(client):
    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    year = timezone.localdate().year
    url = reverse("reports:narrative_edit", args=[provider.pk, year])
    _login(client, "mas")
    page = client.get(url).content.decode()
    assert "SOSFS 2011:9 7 kap. 3 § 1" in page  # the guidance of each section is shown at its editor
    assert client.post(url, {"action": "save", "version": 0, "results": "Färre fall."}).status_code == 302
    assert client.post(url, {"action": "review"}).status_code == 302
    narrative = PatientSafetyNarrative.objects.get(provider=provider, year=year)
    assert narrative.state == "review"
    refused = client.post(url, {"action": "save", "version": narrative.version, "results": "Ändrat i granskning"})
    assert refused.status_code == 400
    assert "under granskning" in refused.content.decode()
    assert "Ändrat i granskning" in refused.content.decode()  # what was typed is not lost
    narrative.refresh_from_db()
    assert narrative.results == "Färre fall."
    data = _report(year)
    assert data.subtitle == "Under granskning, ännu inte fastställd av nämnden."
    assert client.post(url, {"action": "draft"}).status_code == 302
    narrative.refresh_from_db()
    assert narrative.state == "draft"
    assert client.post(url, {"action": "review"}).status_code == 302
    adopted_on = timezone.localdate() - timedelta(days=1)
    response = client.post(url, {"action": "adopt", "adopted_on": adopted_on.isoformat(), "adopted_paragraph": "§ 42"})
    assert response.status_code == 302
    narrative.refresh_from_db()
    assert (narrative.state, narrative.adopted_on, narrative.adopted_paragraph) == ("adopted", adopted_on, "§ 42")
    assert _report(year).subtitle == f"Fastställd av nämnden {adopted_on.isoformat()}, § 42."
    assert client.post(url, {"action": "draft"}).status_code == 302
    narrative.refresh_from_db()
    assert narrative.state == "adopted"  # an adopted report never goes back


@pytest.mark.django_db
def test_narrative_services_refuse_who_may_not_report_on_the_provider():
    """Saving, moving and adopting a narrative are refused to a user without the provider's scope; nothing changes."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from reports import narratives

    provider = CareProvider.objects.get(kind="municipal", board__code="hagersten-liljeholmen")
    year = timezone.localdate().year
    users = get_user_model().objects
    narrative = narratives.narrative_save(
        user=users.get(username="mas"), provider=provider, year=year, version=0, texts={"results": "Färre fall."}
    )
    outsider = users.get(username="rapportor")
    with pytest.raises(PermissionDenied):
        narratives.narrative_save(
            user=outsider, provider=provider, year=year, version=narrative.version, texts={"results": "Obehörig"}
        )
    with pytest.raises(PermissionDenied):
        narratives.narrative_move(user=outsider, narrative=narrative, to="review")
    with pytest.raises(PermissionDenied):
        narratives.narrative_adopt(user=outsider, narrative=narrative, adopted_on=timezone.localdate())
    narrative.refresh_from_db()
    assert (narrative.state, narrative.results, narrative.version) == ("draft", "Färre fall.", 1)


# Login and the user's scopes (read once), the validation (scope, provider, has the year data), the figures of
# every section in grouped statements (65 before issue 17's work on the 100k bench, 45 after), the unread
# notifications.
PATIENT_SAFETY_PAGE_QUERIES = 43


@pytest.mark.django_db
def test_patient_safety_page_takes_a_fixed_number_of_queries(client, seeded, period, django_assert_num_queries):
    """The report page reads each section's figures in grouped statements, once, whatever the data."""
    _login(client, "mas")
    query = {"kind": "patient_safety", "scope": BOARD, "year": str(period[0].year)}
    client.get(reverse("reports:report_detail"), query)  # warm the per-process caches
    with django_assert_num_queries(PATIENT_SAFETY_PAGE_QUERIES):
        response = client.get(reverse("reports:report_detail"), query)
    assert response.status_code == 200
