"""The printable deviation: reachable from its page, checked like the page, never with the patient's identity,
logged, laid out inside the page and archivable (PDF/A)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import services
from incidents.models import Deviation, PatientDataAccess
from tests.factories import unit
from tests.incidents.deviation_helpers import VALID_PNR, report
from tests.reports.pdf_layout import characters_outside

pytestmark = pytest.mark.django_db


def _login(client, username: str) -> None:
    client.force_login(get_user_model().objects.get(username=username))


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _investigated() -> Deviation:
    """A deviation about a patient, whose free text carries the personnummer, with an investigation and an action."""
    d = report(pnr=VALID_PNR)
    Deviation.objects.filter(pk=d.pk).update(description=f"Boende {VALID_PNR} föll i korridoren vid 22-tiden.")
    d.refresh_from_db()
    manager = get_user_model().objects.get(username="enhetschef")
    d = services.deviation_save_investigation(
        deviation=d,
        user=manager,
        version=d.version,
        investigator=None,
        cause_analysis="Larmet var avstängt.",
        lessons_learned="Testa larmen.",
    )
    owner = unit("hage-01").assignments.filter(role="UNIT_MANAGER").first().person
    services.deviation_add_action(
        deviation=d,
        user=manager,
        version=d.version,
        description="Daglig larmkontroll",
        owner=owner,
        deadline=timezone.localdate() + timedelta(days=14),
    )
    d.refresh_from_db()
    return d


@pytest.mark.parametrize("username", ["rapportor", "enhetschef", "mas"])
def test_printed_deviation_never_holds_the_patient_and_is_logged(client, username):
    """Even those who may see the number on the page get a PDF without it; the print is in the access log."""
    d = _investigated()
    _login(client, username)
    page = client.get(reverse("incidents:deviation_detail", args=[d.pk])).content.decode()
    url = reverse("incidents:deviation_pdf", args=[d.pk])
    assert url in page  # reachable from the deviation's page
    before = PatientDataAccess.objects.filter(deviation=d, action="print").count()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = _text(response.content)
    assert d.reference in text
    assert "föll i korridoren" in text
    for form in (VALID_PNR, VALID_PNR.replace("-", ""), VALID_PNR[2:], "1212"):
        assert form not in text.replace(d.reference, "")
    assert "identitet skrivs aldrig ut" in text
    row = PatientDataAccess.objects.filter(deviation=d, action="print").order_by("-pk").first()
    assert PatientDataAccess.objects.filter(deviation=d, action="print").count() == before + 1
    assert row.user.username == username
    assert not characters_outside(response.content)


def test_working_roles_get_investigation_actions_and_history_the_reporter_does_not(client):
    d = _investigated()
    _login(client, "enhetschef")
    working = _text(client.get(reverse("incidents:deviation_pdf", args=[d.pk])).content)
    assert "Larmet var avstängt." in working
    assert "Daglig larmkontroll" in working
    assert "Historik" in working
    _login(client, "rapportor")
    reporter = _text(client.get(reverse("incidents:deviation_pdf", args=[d.pk])).content)
    assert "Larmet var avstängt." not in reporter
    assert "Daglig larmkontroll" not in reporter


def test_the_pdf_is_refused_like_the_page(client):
    """Anonymous: to login; board official and another provider's MAS: 404 as for the page; a draft: 404."""
    d = report(pnr=VALID_PNR)
    url = reverse("incidents:deviation_pdf", args=[d.pk])
    assert client.get(url).status_code == 302
    for username in ("tjansteman", "entreprenor-mas"):
        _login(client, username)
        assert client.get(url).status_code == 404
    assert not PatientDataAccess.objects.filter(deviation=d).exists()
    draft = report(submit=False)
    _login(client, "rapportor")
    assert client.get(reverse("incidents:deviation_pdf", args=[draft.pk])).status_code == 404


def test_the_pdf_is_pdf_a(client):
    d = report()
    _login(client, "mas")
    reader = PdfReader(io.BytesIO(client.get(reverse("incidents:deviation_pdf", args=[d.pk])).content))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert "pdfaid" in xmp
    assert f"Avvikelse {d.reference}" in reader.metadata.title


def test_lex_maria_investigation_follows_ivos_headings_with_a_checklist_and_no_personnummer(client):
    """The investigation attachment: IVO's form headings, the other reports the case may need (Läkemedelsverket
    marked likely for a medicine event), free text scrubbed of personnummer, and nothing outside the page."""
    from incidents.lexmaria.models import LexMariaCase, LexMariaState
    from incidents.lexmaria.services import lex_maria_open
    from incidents.models import DeviationCategory
    from tests.factories import user as lm_user
    from tests.incidents.lexmaria_factories import DEMO_PERSONNUMMER, deviation, unit_for_route

    dev = deviation(
        unit=unit_for_route("own"),
        description=f"Boende {DEMO_PERSONNUMMER} fick fel dos.",
        category=DeviationCategory.objects.get(municipality__code="stockholm", code="lakemedel"),
    )
    case = lex_maria_open(deviation=dev, decided_by=lm_user("mas"), motivation="Allvarlig vårdskada.")
    LexMariaCase.objects.filter(pk=case.pk).update(
        state=LexMariaState.ANALYSED,
        analysed_at=timezone.localdate(),
        analysis_team="Enhetschef, sjuksköterska",
        analysis_causes="Dosett fel fylld.",
        analysis_timeline="08.00 dos given",
        patient_informed_at=timezone.localdate(),
        patient_informed_by="Elsa Berg",
        patient_statement=f"Jag ({DEMO_PERSONNUMMER}) mådde illa.",
    )
    _login(client, "mas")
    response = client.get(reverse("incidents:lex_maria_pdf", args=[case.pk]))
    assert response.status_code == 200
    text = _text(response.content)
    for heading in (
        "1. Vårdgivare",
        "2. Verksamhet",
        "3. Händelsen",
        "4. Analys",
        "5. Åtgärder",
        "6. Patientens delaktighet",
        "7. Andra anmälningar",
    ):
        assert heading in text
    assert "Läkemedelsverket" in text
    assert "PSL 3 kap. 7 §" in text
    assert "Sannolikt" in text  # the medicine category marks the Läkemedelsverket report as likely
    assert "fick fel dos" in text
    assert "mådde illa" in text
    assert DEMO_PERSONNUMMER not in text
    assert "121212" not in text
    assert not characters_outside(response.content)
