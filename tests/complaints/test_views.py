"""Complaint pages: every URL × role renders or refuses (never 500), the visibility matrix, the log extract."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from complaints.log_extract import EXTRACT_ACTION
from complaints.models import CollaborationDeviation, Complaint, Counterpart
from incidents import patient
from incidents.models import PatientDataAccess
from tests.complaints.helpers import OTHER_PNR, VALID_PNR, complaint
from tests.conftest import DEMO_ROLE_SECTIONS
from tests.factories import user

pytestmark = pytest.mark.django_db
USERS = list(DEMO_ROLE_SECTIONS)


def client_for(client, username):
    client.force_login(user(username))
    return client


def all_urls() -> list[str]:
    names = [
        "complaint_list",
        "complaint_create",
        "collaboration_list",
        "collaboration_create",
        "counterpart_list",
        "counterpart_create",
        "statistics",
        "log_extract",
    ]
    urls = [reverse(f"complaints:{n}") for n in names]
    for pk in Complaint.objects.values_list("pk", flat=True):
        urls += [reverse("complaints:complaint_detail", args=[pk]), reverse("complaints:complaint_edit", args=[pk])]
    urls += [
        reverse("complaints:collaboration_detail", args=[pk])
        for pk in CollaborationDeviation.objects.values_list("pk", flat=True)
    ]
    urls += [
        reverse("complaints:counterpart_edit", args=[pk]) for pk in Counterpart.objects.values_list("pk", flat=True)
    ]
    urls += [
        reverse("complaints:complaint_detail", args=[999999]),
        reverse("complaints:collaboration_detail", args=[999999]),
    ]
    return urls


@pytest.mark.parametrize("username", USERS)
def test_every_complaint_page_renders_or_refuses_for_every_role(client, username):
    """Every URL of the app for every demo role and every demo object: 200, 403 or 404, never a 500."""
    client_for(client, username)
    statuses = {url: client.get(url).status_code for url in all_urls()}
    assert set(statuses.values()) <= {200, 403, 404}, {u: s for u, s in statuses.items() if s not in (200, 403, 404)}


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("complaints:complaint_list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_visibility_matrix_of_a_complaint(client):
    """Registrar, manager and MAS of the unit see it; the contractor's MAS, the board official and staff of
    another unit do not."""
    c = complaint(by="rapportor", pnr=VALID_PNR)
    url = reverse("complaints:complaint_detail", args=[c.pk])
    expected = {
        "rapportor": 200,
        "enhetschef": 200,
        "verksamhetschef": 200,
        "mas": 200,
        "entreprenor-mas": 404,
        "tjansteman": 404,
        "kvalitet": 404,
        "mar": 404,
    }
    got = {}
    for username in expected:
        client.force_login(user(username))
        got[username] = client.get(url).status_code
    assert got == expected


def test_contractor_mas_sees_only_her_providers_complaints(client):
    client_for(client, "entreprenor-mas")
    own = complaint(unit_code="hage-02", categories=("lakemedel",))
    other = complaint(unit_code="hage-01")
    body = client.get(reverse("complaints:complaint_list")).content.decode()
    assert own.reference in body
    assert other.reference not in body


def test_patient_identity_is_shown_to_handlers_and_every_view_is_logged(client):
    c = complaint(pnr=VALID_PNR)
    client_for(client, "verksamhetschef")
    before = PatientDataAccess.objects.filter(reference=c.reference).count()
    body = client.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode()
    assert "19121212-1212" in body
    row = PatientDataAccess.objects.filter(reference=c.reference).latest("id")
    assert PatientDataAccess.objects.filter(reference=c.reference).count() == before + 1
    assert row.user == user("verksamhetschef")
    assert row.unit_id == c.unit_id
    assert row.deviation_id is None
    assert row.patient_hash == patient.patient_hash(VALID_PNR)
    queue = client.get(reverse("complaints:complaint_list")).content.decode()
    assert c.reference in queue
    assert "19121212" not in queue


def test_board_official_sees_counts_not_content(client):
    c = complaint(pnr=VALID_PNR)
    client_for(client, "tjansteman")
    assert client.get(reverse("complaints:complaint_detail", args=[c.pk])).status_code == 404
    assert client.get(reverse("complaints:complaint_list")).status_code == 403
    stats = client.get(reverse("complaints:statistics"))
    assert stats.status_code == 200
    body = stats.content.decode()
    assert c.description not in body
    assert "19121212" not in body
    assert c.reference not in body
    assert stats.context["data"].complaints.total >= 1


@pytest.mark.parametrize(
    ("username", "url_name", "queries"),
    [
        ("mas", "complaints:complaint_list", 6),
        ("verksamhetschef", "complaints:complaint_list", 7),
        ("mas", "complaints:collaboration_list", 7),
        ("verksamhetschef", "complaints:collaboration_list", 8),
    ],
)
def test_list_pages_take_a_fixed_number_of_queries(client, django_assert_num_queries, username, url_name, queries):
    """The queues read the scope once, then one count and one page of rows, however many rows there are."""
    from tests.complaints.helpers import collaboration

    client_for(client, username)
    for _ in range(3):
        complaint()
        collaboration()
    with django_assert_num_queries(queries):
        assert client.get(reverse(url_name)).status_code == 200


def test_register_form_keeps_what_was_typed_on_error(client):
    client_for(client, "rapportor")
    response = client.post(
        reverse("complaints:complaint_create"),
        {"received_on": "", "channel": "phone", "description": "Synpunkt på bemötandet", "patient_identifier": "123"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Synpunkt på bemötandet" in body
    assert "Ange datum då klagomålet kom in." in body


def test_start_deviation_button_redirects_to_the_prefilled_draft(client):
    c = complaint()
    client_for(client, "mas")
    response = client.post(reverse("complaints:complaint_step", args=[c.pk, "start_deviation"]), {"version": c.version})
    c.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:deviation_edit", args=[c.deviation_id])


# --- the patient's log extract ------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_log_extract_lists_exactly_that_patients_accesses_and_is_itself_logged(client):
    """Views of the patient's complaint and deviation are listed; another patient's are not; the extract is logged."""
    mine = complaint(pnr=VALID_PNR)
    theirs = complaint(pnr=OTHER_PNR)
    from tests.incidents.deviation_helpers import report

    deviation = report(pnr=VALID_PNR)
    PatientDataAccess.objects.filter(patient_hash=patient.patient_hash(VALID_PNR)).delete()
    PatientDataAccess.objects.filter(patient_hash=patient.patient_hash(OTHER_PNR)).delete()
    client_for(client, "verksamhetschef")
    client.get(reverse("complaints:complaint_detail", args=[mine.pk]))
    client.get(reverse("complaints:complaint_detail", args=[theirs.pk]))
    client.get(reverse("incidents:deviation_detail", args=[deviation.pk]))
    client_for(client, "mas")
    response = client.post(reverse("complaints:log_extract"), {"patient": VALID_PNR})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert mine.reference in text
    assert deviation.reference in text
    assert theirs.reference not in text
    assert "19121212-1212" not in text
    assert "19121212-****" in text
    logged = PatientDataAccess.objects.filter(patient_hash=patient.patient_hash(VALID_PNR), action=EXTRACT_ACTION)
    assert list(logged.values_list("user__username", flat=True)) == ["mas"]
    # The next extract lists the first one as an access.
    again = pdf_text(client.post(reverse("complaints:log_extract"), {"patient": VALID_PNR}).content)
    assert "Loggutdrag" in again


def test_log_extract_takes_the_personnummer_by_post_only_and_refuses_others(client):
    client_for(client, "mas")
    page = client.get(reverse("complaints:log_extract") + "?patient=19121212-1212")
    assert page.status_code == 200
    assert 'value="19121212-1212"' not in page.content.decode()
    bad = client.post(reverse("complaints:log_extract"), {"patient": "19121212-1213"})
    assert bad.status_code == 400
    assert "19121212-1213" in bad.content.decode()
    assert not PatientDataAccess.objects.filter(
        action=EXTRACT_ACTION, at__gte=timezone.now() - timedelta(minutes=1)
    ).exists()
    client_for(client, "verksamhetschef")
    assert client.post(reverse("complaints:log_extract"), {"patient": VALID_PNR}).status_code == 403


def test_handler_corrects_a_complaint_and_a_new_ivo_date_moves_the_deadline(client):
    c = complaint()
    client_for(client, "verksamhetschef")
    url = reverse("complaints:complaint_edit", args=[c.pk])
    assert client.get(url).status_code == 200
    new_date = timezone.localdate() + timedelta(days=7)
    response = client.post(
        url,
        {
            "version": c.version,
            "channel": "ivo",
            "complainant_kind": "patient",
            "categories": [c.categories.first().pk],
            "description": "Rättad text.",
            "external_case_number": "IVO 1.2-3/2026",
            "external_deadline": new_date.isoformat(),
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.channel, c.answer_due, c.description) == ("ivo", new_date, "Rättad text.")
    client_for(client, "rapportor")
    assert client.get(url).status_code in (403, 404)


def test_only_the_municipalitys_own_mas_manages_counterparts(client):
    client_for(client, "entreprenor-mas")
    assert client.get(reverse("complaints:counterpart_list")).status_code == 403
    assert (
        client.post(
            reverse("complaints:counterpart_create"), {"code": "x", "name": "X", "kind": "provider", "reply_months": 2}
        ).status_code
        == 403
    )
    client_for(client, "mas")
    response = client.post(
        reverse("complaints:counterpart_create"),
        {
            "code": "capio",
            "name": "Capio Närakut",
            "kind": "provider",
            "contact_name": "Kontakt",
            "contact_email": "k@example.org",
            "reply_months": 3,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Counterpart.objects.get(code="capio").municipality == user("mas").person.municipality


def test_a_refused_step_shows_the_reason_and_keeps_what_was_typed(client):
    c = complaint()
    client_for(client, "verksamhetschef")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("complaints:complaint_step", args=[c.pk, "answer"]),
        {"version": c.version, "answer": "Vi förklarade vad som hänt.", "answered_on": tomorrow, "method": "phone"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Datumet kan inte ligga i framtiden." in body
    assert "Vi förklarade vad som hänt." in body
    c.refresh_from_db()
    assert c.state == "registered"
    stale = client.post(
        reverse("complaints:complaint_step", args=[c.pk, "acknowledge"]),
        {"version": c.version + 5, "acknowledged_on": timezone.localdate().isoformat()},
    )
    assert stale.status_code == 400
    assert "Någon annan ändrade ärendet" in stale.content.decode()


def test_detail_offers_the_correction_to_handlers_of_an_open_complaint_only(client):
    c = complaint()
    edit = reverse("complaints:complaint_edit", args=[c.pk])
    client_for(client, "verksamhetschef")
    assert edit in client.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode()
    client_for(client, "rapportor")
    assert edit not in client.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode()


def test_a_linked_deviation_the_user_may_not_open_is_not_named(client):
    """The complaint's page names the linked deviation only to those who may open it."""
    from incidents.models import Deviation
    from incidents.selectors import deviations_visible_to

    c = complaint()
    seen = deviations_visible_to(user=user("verksamhetschef")).values("pk")
    hidden = Deviation.objects.exclude(pk__in=seen).exclude(state="draft").first()
    Complaint.objects.filter(pk=c.pk).update(deviation=hidden)
    client_for(client, "verksamhetschef")
    body = client.get(reverse("complaints:complaint_detail", args=[c.pk])).content.decode()
    assert hidden.reference not in body
    assert "En avvikelse är kopplad som du inte får öppna." in body
