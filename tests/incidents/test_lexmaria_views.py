"""Lex Maria pages: permission matrix, no patient identity for board officials, step forms, PDF, command, queries."""

import io
import json
import re
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core.models import Notification
from incidents.lexmaria import demo as demo_lexmaria
from incidents.lexmaria.models import LexMariaCase, LexMariaState
from incidents.lexmaria.selectors import board_open_cases
from responsibility.models import Board, Person
from tests.factories import user, user_for
from tests.incidents.lexmaria_factories import DEMO_PERSONNUMMER, deviation, open_case, unit_for_route

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _official(board_code: str):
    return user_for(Person.objects.get(email=f"official-{board_code}@demo.masportalen.se"))


def _case_with_patient_text():
    """A case whose deviation and patient statement carry a personnummer, as free text sometimes does."""
    dev = deviation(unit=unit_for_route("own"), description=f"Boende {DEMO_PERSONNUMMER} föll i badrummet.")
    from incidents.lexmaria.services import lex_maria_open

    case = lex_maria_open(deviation=dev, decided_by=user("mas"), motivation="Allvarlig vårdskada.")
    LexMariaCase.objects.filter(pk=case.pk).update(
        patient_statement=f"Jag ({DEMO_PERSONNUMMER}) ringde på larmet.",
        patient_informed_by="Elsa Berg",
        patient_informed_at=TODAY(),
    )
    return case


def test_anonymous_is_sent_to_login(client):
    """Every Lex Maria page asks an anonymous visitor to log in."""
    case = open_case(route="own")
    for url in (
        reverse("incidents:lex_maria_queue"),
        reverse("incidents:lex_maria_detail", args=[case.pk]),
        reverse("incidents:lex_maria_pdf", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    response = client.post(reverse("incidents:lex_maria_step", args=[case.pk, "inform_patient"]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_user_without_role_sees_nothing(client, django_user_model):
    """A login without any assignment gets an empty queue and no case."""
    case = open_case(route="own")
    client.force_login(django_user_model.objects.create_user("norole", password="x"))  # noqa: S106
    response = client.get(reverse("incidents:lex_maria_queue"))
    assert response.status_code == 200
    assert case.reference not in response.content.decode()
    assert client.get(reverse("incidents:lex_maria_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("incidents:lex_maria_pdf", args=[case.pk])).status_code == 404


def test_other_board_official_sees_nothing(client):
    """A board official of another board does not see the case or take its steps."""
    case = open_case(route="own")
    client.force_login(_official("bromma"))
    assert case.reference not in client.get(reverse("incidents:lex_maria_queue")).content.decode()
    assert client.get(reverse("incidents:lex_maria_detail", args=[case.pk])).status_code == 404
    response = client.post(reverse("incidents:lex_maria_step", args=[case.pk, "inform_board"]), {})
    assert response.status_code == 404


def test_board_official_sees_queue_without_patient_identity(client):
    """The board's official sees the case, state, age and whose move, and never the patient's identity."""
    case = _case_with_patient_text()
    demo_lexmaria.load(today=TODAY())
    client.force_login(user("tjansteman"))
    queue = client.get(reverse("incidents:lex_maria_queue")).content.decode()
    assert case.reference in queue
    assert "Beslut: anmäls" in queue
    assert "Vems tur" in queue
    assert DEMO_PERSONNUMMER not in queue
    assert "121212" not in queue
    detail = client.get(reverse("incidents:lex_maria_detail", args=[case.pk])).content.decode()
    assert case.reference in detail
    assert DEMO_PERSONNUMMER not in detail
    assert "121212" not in detail
    assert "föll i badrummet" not in detail  # the free-text description stays on the deviation
    assert reverse("incidents:lex_maria_pdf", args=[case.pk]) not in detail
    assert client.get(reverse("incidents:lex_maria_pdf", args=[case.pk])).status_code == 403


def test_board_official_cannot_take_the_reporters_step(client):
    """A step that is not the official's is refused: nothing changes and nothing is queued."""
    case = open_case(route="own")
    client.force_login(user("tjansteman"))
    before = Notification.objects.count()
    response = client.post(
        reverse("incidents:lex_maria_step", args=[case.pk, "inform_patient"]),
        {
            "inform_patient-version": case.version,
            "inform_patient-informed_at": TODAY().isoformat(),
            "inform_patient-informed_by": "X",
        },
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == LexMariaState.DECIDED
    assert case.version == 0
    assert Notification.objects.count() == before


def test_reporter_records_a_step_through_the_form(client):
    """The MAS sees the form of every open step (the report to IVO at once), records one, is taken back."""
    case = open_case(route="own")
    client.force_login(user("mas"))
    detail = client.get(reverse("incidents:lex_maria_detail", args=[case.pk])).content.decode()
    assert '<h2 id="step-title-inform_patient">Patient informerad</h2>' in detail
    assert '<h2 id="step-title-report_to_ivo">Anmäld till IVO</h2>' in detail
    response = client.post(
        reverse("incidents:lex_maria_step", args=[case.pk, "inform_patient"]),
        {
            "inform_patient-version": case.version,
            "inform_patient-informed_at": TODAY().isoformat(),
            "inform_patient-informed_by": "Elsa Berg, enhetschef",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:lex_maria_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.state == LexMariaState.PATIENT_INFORMED
    assert case.patient_informed_by == "Elsa Berg, enhetschef"


def test_invalid_step_keeps_what_was_typed(client):
    """A future date is refused in Swedish and the typed text is shown again."""
    case = open_case(route="own")
    client.force_login(user("mas"))
    response = client.post(
        reverse("incidents:lex_maria_step", args=[case.pk, "inform_patient"]),
        {
            "inform_patient-version": case.version,
            "inform_patient-informed_at": (TODAY() + timedelta(days=2)).isoformat(),
            "inform_patient-informed_by": "Elsa Berg, enhetschef",
            "inform_patient-patient_statement": "Min egen beskrivning",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Datumet kan inte ligga i framtiden." in html
    assert "Elsa Berg, enhetschef" in html
    assert "Min egen beskrivning" in html
    case.refresh_from_db()
    assert case.state == LexMariaState.DECIDED


def test_stale_form_is_refused(client):
    """A form shown before someone else's step is refused with a Swedish message."""
    case = open_case(route="own")
    LexMariaCase.objects.filter(pk=case.pk).update(version=3)
    client.force_login(user("mas"))
    response = client.post(
        reverse("incidents:lex_maria_step", args=[case.pk, "inform_patient"]),
        {
            "inform_patient-version": 2,
            "inform_patient-informed_at": TODAY().isoformat(),
            "inform_patient-informed_by": "X",
        },
    )
    assert response.status_code == 400
    assert "Någon annan ändrade ärendet" in response.content.decode()


def test_contractor_mas_sees_own_provider_cases_only(client):
    """The contractor's MAS sees its provider's case, not the board's own cases."""
    contractor_case = open_case(route="contractor_via_board_mas")
    own_case = open_case(route="own")
    client.force_login(user("entreprenor-mas"))
    queue = client.get(reverse("incidents:lex_maria_queue")).content.decode()
    assert contractor_case.reference in queue
    assert own_case.reference not in queue
    assert client.get(reverse("incidents:lex_maria_detail", args=[own_case.pk])).status_code == 404


def test_investigation_pdf_for_the_reporter(client):
    """After the event analysis the reporter downloads the investigation PDF; it never claims to submit."""
    case = open_case(route="own")
    LexMariaCase.objects.filter(pk=case.pk).update(
        state=LexMariaState.ANALYSED,
        analysed_at=TODAY(),
        analysis_team="Enhetschef, sjuksköterska",
        analysis_causes="Larmet var av.",
        analysis_timeline="22.15 fall",
        patient_informed_at=TODAY(),
        patient_informed_by="Elsa Berg",
    )
    client.force_login(user("mas"))
    response = client.get(reverse("incidents:lex_maria_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert case.reference in text
    assert "Larmet var av." in text
    assert "portalen skickar den inte" in text
    assert "Utredning skickad till IVO –" in " ".join(text.split())  # not sent yet: said, not left out


def test_investigation_pdf_gives_the_dates_the_investigation_and_report_went_to_ivo(client):
    case = open_case(route="own")
    LexMariaCase.objects.filter(pk=case.pk).update(
        state=LexMariaState.REPORTED,
        analysed_at=TODAY(),
        analysis_causes="Larmet var av.",
        patient_informed_at=TODAY(),
        patient_informed_by="Elsa Berg",
        ivo_sent_at=date(2026, 3, 2),
        ivo_case_number="3.5.1-12345/2026",
        investigation_sent_at=date(2026, 3, 20),
    )
    client.force_login(user("mas"))
    response = client.get(reverse("incidents:lex_maria_pdf", args=[case.pk]))
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Anmäld till IVO 2026-03-02 (IVO:s diarienummer 3.5.1-12345/2026)" in text
    assert "Utredning skickad till IVO 2026-03-20" in text


def test_pdf_is_not_offered_before_the_analysis(client):
    case = open_case(route="own")
    client.force_login(user("mas"))
    assert client.get(reverse("incidents:lex_maria_pdf", args=[case.pk])).status_code == 404


def test_queue_query_count_is_constant(client, django_assert_num_queries):
    """The queue page costs the same number of queries with 3 or 12 more cases."""
    client.force_login(user("tjansteman"))
    url = reverse("incidents:lex_maria_queue")
    before = len(re.findall(r'href="/avvikelser/lex-maria/\d+/"', client.get(url).content.decode()))
    for _ in range(3):
        open_case(route="own")
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("LM-") >= 3
    for _ in range(9):
        open_case(route="contractor_via_board_mas")
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url)
    assert len(re.findall(r'href="/avvikelser/lex-maria/\d+/"', response.content.decode())) == before + 12


# The steps marked not applicable (prefetched for the page), the board officials named in "whose move"
# (one query for the page), and the unread-notification count in the header.
QUEUE_QUERIES = 9


def test_command_lists_board_cases_as_stable_json():
    """lex_maria_queue --board CODE --format json prints a list of the board's open cases."""
    demo_lexmaria.load(today=TODAY())
    out = io.StringIO()
    call_command("lex_maria_queue", board="hagersten-liljeholmen", format="json", stdout=out)
    rows = json.loads(out.getvalue())
    board = Board.objects.get(code="hagersten-liljeholmen")
    expected = list(board_open_cases(board=board).values_list("reference", flat=True))
    assert [r["reference"] for r in rows] == expected
    assert len(rows) >= 6
    assert set(rows[0]) == {
        "reference",
        "unit",
        "board",
        "state",
        "age_days",
        "next_deadline",
        "overdue",
        "next_step",
        "whose_move",
        "owner_unclear",
        "route",
        "board_role",
    }
    assert all(r["state"] != "closed" for r in rows)
    assert {r["state"] for r in rows} >= {"decided", "analysed", "board_informed", "reported_to_ivo"}
    forward = next(r for r in rows if r["next_step"] == "forward")
    assert forward["whose_move"] == [{"part": "board_mas", "person": "Margareta Ek"}]
    for r in rows:
        assert r["next_deadline"] is None or len(r["next_deadline"]) == 10
        assert isinstance(r["age_days"], int)
    again = io.StringIO()
    call_command("lex_maria_queue", board="hagersten-liljeholmen", format="json", stdout=again)
    assert again.getvalue() == out.getvalue()


def test_command_refuses_unknown_board():
    with pytest.raises(CommandError):
        call_command("lex_maria_queue", board="finns-inte", format="json", stdout=io.StringIO())
