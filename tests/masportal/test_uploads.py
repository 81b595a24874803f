"""Uploads: zip bombs refused with a Swedish message (other input kept), file names cleaned before shown or served."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.uploads import clean_filename
from incidents.models import Deviation, DeviationAttachment
from tests.incidents.test_deviation_views import _form, _login

pytestmark = pytest.mark.django_db

RLO = "\u202e"


def _docx(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Händelse</w:document>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_named_docx_is_refused_in_swedish_and_the_form_keeps_the_rest(client):
    """A ~200 KB .docx that inflates to 200 MB is refused with a Swedish message; the description stays."""
    bomb = _docx({"word/media/pad.bin": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < 300 * 1024
    _login(client, "rapportor")
    before = Deviation.objects.count()
    data = _form(description="Boende föll vid toaletten, hittades av nattpersonal.")
    response = client.post(
        reverse("incidents:deviation_create"), {**data, "attachment": SimpleUploadedFile("rapport.docx", bomb)}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "packas upp till mycket mer än den väger" in body
    assert "Boende föll vid toaletten, hittades av nattpersonal." in body
    assert Deviation.objects.count() == before


def test_ordinary_docx_is_accepted():
    """A normal Word file passes the expansion check."""
    from incidents.attachments import validate_attachment

    upload = SimpleUploadedFile("rapport.docx", _docx({"word/styles.xml": b"<styles/>" * 200}))
    assert validate_attachment(upload).endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"faktura{RLO}fdp.exe", "fakturafdp.exe"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\rapport.pdf", "rapport.pdf"),
        ("Ha\u0308ndelse.pdf", "Händelse.pdf"),  # NFD → NFC
        ("\u2066.pdf\u2069", "pdf"),
        ("", "bilaga"),
    ],
)
def test_file_names_are_normalised(raw, clean):
    """NFC, no bidi/control characters, no path parts, no leading dot."""
    assert clean_filename(raw) == clean


def test_bidi_override_name_is_stored_and_served_clean(client, settings, tmp_path):
    """A right-to-left override in the name never reaches the page or Content-Disposition."""
    settings.MEDIA_ROOT = tmp_path
    _login(client, "rapportor")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    name = f"rapport{RLO}fdp.pdf"
    client.post(reverse("incidents:deviation_create"), {**_form(), "attachment": SimpleUploadedFile(name, pdf)})
    attachment = DeviationAttachment.objects.order_by("-pk").first()
    assert attachment.original_name == "rapportfdp.pdf"
    # An old row stored before names were cleaned is cleaned when served and shown.
    DeviationAttachment.objects.filter(pk=attachment.pk).update(original_name=f"gammal{RLO}fdp.pdf")
    _login(client, "enhetschef")
    response = client.get(reverse("incidents:attachment_download", args=[attachment.pk]))
    assert RLO not in response["Content-Disposition"]
    assert "gammalfdp.pdf" in response["Content-Disposition"]
    page = client.get(reverse("incidents:deviation_detail", args=[attachment.deviation_id])).content.decode()
    assert RLO not in page
    assert "gammalfdp.pdf" in page
