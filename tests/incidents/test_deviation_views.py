"""Deviation pages: permission matrix, bad input, access log, exports, attachments, exact query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import Notification
from incidents import patient
from incidents.models import Deviation, DeviationAttachment, DeviationState, PatientDataAccess, ReferenceCounter
from tests.factories import category, unit
from tests.incidents.deviation_helpers import VALID_PNR, report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _form(**overrides) -> dict:
    occurred = timezone.localtime() - timedelta(hours=3)
    data = {
        "unit": unit("hage-01").pk,
        "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
        "discovered_at": (occurred + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M"),
        "category": category().pk,
        "event_kind": "occurred",
        "description": "Boende föll vid toaletten.",
        "immediate_actions": "Sjuksköterska tillkallad.",
        "patient_identifier": VALID_PNR,
        "consequence": "2",
        "probability": "3",
        "submit": "1",
    }
    data.update(overrides)
    return data


def _login(client, username: str) -> None:
    client.force_login(__import__("django.contrib.auth").contrib.auth.get_user_model().objects.get(username=username))


# --- reporting ---------------------------------------------------------------------------------


def test_staff_submits_and_gets_reference(client):
    """Submitting the quick form registers the deviation and confirms the reference."""
    _login(client, "rapportor")
    response = client.post(reverse("incidents:deviation_create"), _form(), follow=True)
    d = Deviation.objects.filter(reporter__username="rapportor").order_by("-pk").first()
    assert d.state == DeviationState.REGISTERED
    assert f"Din avvikelse är registrerad med referens {d.reference}" in response.content.decode()
    assert d.risk_score == 6
    assert d.patient_hash == patient.patient_hash(VALID_PNR)


# Request (session, user, roles with the person; no register-admin flag: a role's scope is the role's), form (the
# unit with its board and municipality, category; the reportable check is asked of the cached scope), counter (2),
# routing (the register's version; then, the index not cached, the periods and the statutory holders with the
# enhetschefer in one statement), one deviation row + one history row, the stored enhetschef rows (1), the
# transition, notifications (look-up + one INSERT), and the service's savepoint and release (the view opens a
# transaction of its own only for an attachment). A test's transaction never commits, so its index is never
# cached: with a cached index (tests/responsibility/test_register_cache.py) the periods and holders are not read.
SUBMIT_QUERIES = 16  # was 19: no admin flag, no view savepoint (2), the enhetschefer with the holders; + the version


def test_submit_writes_the_deviation_once_in_an_exact_number_of_queries(client, django_assert_num_queries):
    """A submitted report is inserted already registered: one row, one history row, one transition."""
    _login(client, "rapportor")
    data = _form()
    home = unit("hage-01")
    ReferenceCounter.objects.get_or_create(
        municipality_id=home.municipality_id, prefix="AV", year=timezone.localdate().year
    )
    with django_assert_num_queries(SUBMIT_QUERIES):
        response = client.post(reverse("incidents:deviation_create"), data)
    assert response.status_code == 302
    d = Deviation.objects.filter(reporter__username="rapportor").order_by("-pk").first()
    assert d.state == DeviationState.REGISTERED
    assert d.reference
    assert d.history.count() == 1
    assert list(d.transitions.values_list("from_state", "to_state")) == [("draft", "registered")]
    notes = Notification.objects.filter(dedupe_key__startswith=f"deviation:{d.pk}:")
    assert {(n.recipient.username, n.kind) for n in notes} >= {
        ("rapportor", "deviation_received"),
        ("enhetschef", "deviation_registered"),
    }


def test_save_draft_then_submit(client):
    """A draft has no reference; it is continued from its page and then submitted."""
    _login(client, "rapportor")
    data = _form()
    data.pop("submit")
    data["save_draft"] = "1"
    response = client.post(reverse("incidents:deviation_create"), data)
    d = Deviation.objects.filter(reporter__username="rapportor", state="draft").order_by("-pk").first()
    assert response.status_code == 302
    assert d.reference == ""
    page = client.get(reverse("incidents:deviation_edit", args=[d.pk])).content.decode()
    assert "19121212-1212" in page  # the reporter's own draft, logged
    assert PatientDataAccess.objects.filter(deviation=d, action="edit").count() == 1
    response = client.post(reverse("incidents:deviation_edit", args=[d.pk]), {**_form(), "version": d.version})
    d.refresh_from_db()
    assert response.status_code == 302
    assert d.state == DeviationState.REGISTERED
    assert d.reference


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"occurred_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
            "Händelsen kan inte ligga i framtiden.",
        ),
        (
            {"discovered_at": (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
            "Den kan inte ha upptäckts innan den inträffade.",
        ),
        ({"unit": ""}, "Välj enheten där det hände."),
        ({"patient_identifier": "19121212-1213"}, "Personnumrets kontrollsiffra stämmer inte."),
    ],
)
def test_bad_input_is_refused_in_swedish_and_keeps_what_was_typed(client, overrides, message):
    """Every refused field gets a Swedish message; description and patient field come back as typed."""
    _login(client, "rapportor")
    before = Deviation.objects.count()
    data = _form(**overrides)
    response = client.post(reverse("incidents:deviation_create"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert "Boende föll vid toaletten." in body
    assert f'value="{data["patient_identifier"]}"' in body
    assert Deviation.objects.count() == before


def test_unit_the_user_cannot_report_for_is_refused(client):
    """A unit outside the reporter's scope is refused; nothing is saved."""
    _login(client, "rapportor")
    before = Deviation.objects.count()
    response = client.post(reverse("incidents:deviation_create"), _form(unit=unit("hage-02").pk))
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert Deviation.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rapport.pdf", b"MZ\x90\x00 not a pdf", "Filens innehåll stämmer inte med filtypen"),
        ("bild.png", PDF, "Filens innehåll stämmer inte med filtypen"),
        ("program.exe", b"MZ\x90\x00", "Bara PDF-, PNG-, JPEG- och Word-filer"),
    ],
)
def test_disguised_or_wrong_files_are_refused(client, name, content, message):
    """Files are checked by content, not name; the rest of the form is kept."""
    _login(client, "rapportor")
    before = Deviation.objects.count()
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("incidents:deviation_create"), {**_form(), "attachment": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Deviation.objects.count() == before


def test_oversized_file_is_refused(client, settings):
    """A file over the limit is refused with the limit stated."""
    settings.DEVIATION_ATTACHMENT_MAX_BYTES = 1024 * 1024
    _login(client, "rapportor")
    upload = SimpleUploadedFile("stor.pdf", PDF + b"0" * (1024 * 1024))
    response = client.post(reverse("incidents:deviation_create"), {**_form(), "attachment": upload})
    assert response.status_code == 400
    assert "Filen är för stor (högst 1 MB)." in response.content.decode()


def test_attachment_is_stored_privately_and_served_after_permission_check(client, settings, tmp_path):
    """A real PDF is stored outside the web root and downloaded only by those who may see the patient data."""
    settings.MEDIA_ROOT = tmp_path
    _login(client, "rapportor")
    client.post(reverse("incidents:deviation_create"), {**_form(), "attachment": SimpleUploadedFile("r.pdf", PDF)})
    attachment = DeviationAttachment.objects.order_by("-pk").first()
    assert attachment.content_type == "application/pdf"
    assert str(tmp_path) in attachment.file.path
    url = reverse("incidents:attachment_download", args=[attachment.pk])
    _login(client, "enhetschef")
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    for username, status in (("entreprenor-mas", 404), ("tjansteman", 404)):
        _login(client, username)
        assert client.get(url).status_code == status
    client.logout()
    assert client.get(url).status_code == 302


# --- permission matrix ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client):
    """Every deviation page asks an anonymous visitor to log in."""
    d = report()
    for url in (
        reverse("incidents:deviation_create"),
        reverse("incidents:deviation_list"),
        reverse("incidents:assessment_queue"),
        reverse("incidents:deviation_export"),
        reverse("incidents:my_reports"),
        reverse("incidents:access_log"),
        reverse("incidents:deviation_detail", args=[d.pk]),
        reverse("incidents:deviation_edit", args=[d.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], url
    response = client.post(reverse("incidents:deviation_step", args=[d.pk, "start_investigation"]), {"version": 0})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.state == DeviationState.REGISTERED


def test_user_without_a_role_gets_nothing(client, django_user_model):
    """A login with no assignment cannot report, queue, export or open anything."""
    d = report(pnr=VALID_PNR)
    client.force_login(django_user_model.objects.create_user("norole"))
    assert client.get(reverse("incidents:deviation_create")).status_code == 403
    assert client.get(reverse("incidents:deviation_list")).status_code == 403
    assert client.get(reverse("incidents:deviation_export")).status_code == 403
    assert client.get(reverse("incidents:access_log")).status_code == 403
    assert client.get(reverse("incidents:deviation_detail", args=[d.pk])).status_code == 404
    assert not PatientDataAccess.objects.filter(deviation=d).exists()


def test_board_official_sees_no_deviation(client):
    """The board official has the Lex Maria queue and reports, not the deviations."""
    d = report(pnr=VALID_PNR)
    _login(client, "tjansteman")
    assert client.get(reverse("incidents:deviation_list")).status_code == 403
    assert client.get(reverse("incidents:deviation_detail", args=[d.pk])).status_code == 404


def test_other_providers_mas_cannot_see_or_move(client):
    """The contractor's MAS can neither open nor move the municipality's own deviations."""
    d = report(pnr=VALID_PNR, consequence=4, probability=4)
    _login(client, "entreprenor-mas")
    assert client.get(reverse("incidents:deviation_detail", args=[d.pk])).status_code == 404
    response = client.post(
        reverse("incidents:deviation_step", args=[d.pk, "reject"]), {"version": d.version, "reason": "x"}
    )
    assert response.status_code == 404
    d.refresh_from_db()
    assert d.state == DeviationState.REGISTERED
    assert d.reference not in client.get(reverse("incidents:deviation_list")).content.decode()


def test_reporter_sees_own_report_but_cannot_move_it(client):
    """The reporter sees state and feedback; moving it is refused and changes nothing."""
    d = report()
    _login(client, "rapportor")
    assert client.get(reverse("incidents:deviation_detail", args=[d.pk])).status_code == 200
    response = client.post(
        reverse("incidents:deviation_step", args=[d.pk, "start_investigation"]), {"version": d.version}
    )
    assert response.status_code == 403
    d.refresh_from_db()
    assert d.state == DeviationState.REGISTERED
    assert client.get(reverse("incidents:deviation_list")).status_code == 403


def test_manager_investigates_through_the_page(client):
    """The enhetschef saves the investigation, adds an action and sends to MAS, who is notified."""
    d = report()
    _login(client, "enhetschef")
    url = reverse("incidents:deviation_step", args=[d.pk, "investigation"])
    response = client.post(url, {"version": d.version, "cause_analysis": "Stressig kväll.", "lessons_learned": ""})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.state == DeviationState.INVESTIGATING
    assert d.cause_analysis == "Stressig kväll."
    owner = unit("hage-01").assignments.filter(role="UNIT_MANAGER").first().person
    response = client.post(
        reverse("incidents:deviation_step", args=[d.pk, "action"]),
        {
            "version": d.version,
            "description": "Ny rutin",
            "owner": owner.pk,
            "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert d.actions.count() == 1
    d.refresh_from_db()
    response = client.post(reverse("incidents:deviation_step", args=[d.pk, "send_to_mas"]), {"version": d.version})
    d.refresh_from_db()
    assert d.state == DeviationState.AWAITING_MAS
    assert (
        Notification.objects.filter(
            kind="deviation_assessment", recipient__username="mas", dedupe_key__startswith=f"deviation:{d.pk}:"
        ).count()
        == 1
    )


def test_stale_form_shows_conflict_and_keeps_typed_text(client):
    """A second assessor posting an old version is told to reload; their text is shown again, nothing saved."""
    d = report()
    _login(client, "enhetschef")
    client.post(reverse("incidents:deviation_step", args=[d.pk, "send_to_mas"]), {"version": d.version})
    d.refresh_from_db()
    old = d.version
    _login(client, "mas")
    client.post(
        reverse("incidents:deviation_step", args=[d.pk, "return_to_investigation"]),
        {"version": old, "reason": "Utred mer."},
    )
    response = client.post(
        reverse("incidents:deviation_step", args=[d.pk, "assess"]),
        {"version": old, "assessment": "Min noggranna bedömning", "lex_maria": "no", "motivation": "Ingen skada"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Någon annan har ändrat avvikelsen" in body
    assert "Min noggranna bedömning" in body
    d.refresh_from_db()
    assert d.assessment == ""
    assert d.state == DeviationState.INVESTIGATING


# --- patient data and the access log --------------------------------------------------------------


@pytest.mark.parametrize("username", ["rapportor", "enhetschef", "verksamhetschef", "mas"])
def test_patient_data_shown_and_logged_for_those_who_need_it(client, username):
    """Reporter, enhetschef, verksamhetschef and the MAS of the event date see the number; each view is logged."""
    d = report(pnr=VALID_PNR)
    _login(client, username)
    body = client.get(reverse("incidents:deviation_detail", args=[d.pk])).content.decode()
    assert "19121212-1212" in body
    row = PatientDataAccess.objects.get(deviation=d)
    assert (row.user.username, row.unit_id, row.patient_hash) == (username, d.unit_id, d.patient_hash)


def test_board_mas_information_copy_has_no_patient_identity(client):
    """The board's MAS opens the contractor's deviation as an information copy, without the number; no log row."""
    d = report(by="entreprenor-mas", unit_code="hage-02", pnr=VALID_PNR)
    _login(client, "mas")
    response = client.get(reverse("incidents:deviation_detail", args=[d.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1212" not in body.replace(d.reference, "")
    assert "identiteten visas inte för dig" in body
    assert not PatientDataAccess.objects.filter(deviation=d).exists()
    _login(client, "entreprenor-mas")
    assert "19121212-1212" in client.get(reverse("incidents:deviation_detail", args=[d.pk])).content.decode()
    assert PatientDataAccess.objects.filter(deviation=d).count() == 1


def test_pages_without_patient_data_write_no_log(client):
    """Queues, my reports, exports and a deviation without a patient write no access-log row."""
    report(pnr=VALID_PNR)
    plain = report()
    before = PatientDataAccess.objects.count()
    _login(client, "enhetschef")
    for url in (
        reverse("incidents:deviation_list"),
        reverse("incidents:deviation_export") + "?format=csv",
        reverse("incidents:deviation_detail", args=[plain.pk]),
    ):
        assert client.get(url).status_code == 200
    _login(client, "rapportor")
    body = client.get(reverse("incidents:my_reports")).content.decode()
    assert "1212-1212" not in body
    assert PatientDataAccess.objects.count() == before


def test_exports_hold_no_patient_data_nor_free_text(client):
    """CSV and XLSX carry references, units and risk, never the personnummer or the description."""
    d = report(pnr=VALID_PNR)
    _login(client, "enhetschef")
    response = client.get(reverse("incidents:deviation_export") + "?format=csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Referens"
    assert any(r[0] == d.reference for r in rows)
    assert "1212" not in text.replace(d.reference, "")
    assert "Boende föll" not in text
    response = client.get(reverse("incidents:deviation_export") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert d.reference in values
    assert not any("Boende föll" in v or "19121212" in v for v in values)


def test_access_log_review_by_patient_is_posted_and_hashed(client):
    """The MAS filters the log by a typed personnummer (POST, never in the URL) and gets the extract."""
    d = report(pnr=VALID_PNR)
    other = report(pnr="19701063-2391")
    _login(client, "enhetschef")
    client.get(reverse("incidents:deviation_detail", args=[d.pk]))
    client.get(reverse("incidents:deviation_detail", args=[other.pk]))
    _login(client, "mas")
    response = client.post(reverse("incidents:access_log"), {"patient": "191212121212"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Patientens loggutdrag" in body
    assert d.reference in body
    assert other.reference not in body
    response = client.post(
        reverse("incidents:access_log"), {"username": "enhetschef", "start": timezone.localdate().isoformat()}
    )
    assert d.reference in response.content.decode()
    assert other.reference in response.content.decode()
    _login(client, "enhetschef")
    assert client.get(reverse("incidents:access_log")).status_code == 403


def test_my_reports_show_state_and_feedback(client):
    """The reporter sees each report's state and the feedback once closed."""
    d = report()
    Deviation.objects.filter(pk=d.pk).update(state=DeviationState.CLOSED, feedback_to_reporter="Tack, rutinen ändrad.")
    _login(client, "rapportor")
    body = client.get(reverse("incidents:my_reports")).content.decode()
    assert d.reference in body
    assert "Tack, rutinen ändrad." in body
    assert "Avslutad" in body
