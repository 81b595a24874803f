"""The patient identity is read through one service that checks the reader and writes the access log."""

import pytest
from django.core.exceptions import PermissionDenied

from incidents import attachments, patient_access
from incidents.models import PatientDataAccess
from tests.incidents.deviation_helpers import VALID_PNR, report, user

pytestmark = pytest.mark.django_db


def test_reading_the_patient_identity_is_logged_for_whoever_may():
    """The unit's manager gets the personnummer and one access-log row ("view") naming her."""
    d = report(pnr=VALID_PNR)
    manager = user("enhetschef")
    assert patient_access.deviation_patient_identifier(user=manager, deviation=d) == VALID_PNR
    assert list(PatientDataAccess.objects.filter(deviation=d).values_list("user__username", "action")) == [
        ("enhetschef", "view")
    ]


def test_a_reader_without_a_part_on_the_unit_is_refused_and_nothing_is_logged():
    """Another provider's MAS may not read the identity: PermissionDenied, no access-log row."""
    d = report(pnr=VALID_PNR)
    with pytest.raises(PermissionDenied):
        patient_access.deviation_patient_identifier(user=user("entreprenor-mas"), deviation=d)
    assert not PatientDataAccess.objects.filter(deviation=d).exists()


def test_only_the_reporter_reads_a_draft_for_editing():
    """A draft's identity is read ("edit") by its reporter only; a deviation without one logs nothing."""
    draft = report(pnr=VALID_PNR, submit=False)
    with pytest.raises(PermissionDenied):
        patient_access.deviation_patient_identifier(user=user("enhetschef"), deviation=draft, action="edit")
    assert (
        patient_access.deviation_patient_identifier(user=user("rapportor"), deviation=draft, action="edit") == VALID_PNR
    )
    assert PatientDataAccess.objects.filter(deviation=draft, action="edit").count() == 1
    plain = report()
    assert patient_access.deviation_patient_identifier(user=user("enhetschef"), deviation=plain) == ""
    assert not PatientDataAccess.objects.filter(deviation=plain).exists()


def test_attachments_are_added_only_by_the_reporter_or_who_may_open_them():
    """Another provider's MAS cannot attach a file to the deviation; nothing is stored."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from incidents.models import DeviationAttachment

    d = report(pnr=VALID_PNR)
    upload = SimpleUploadedFile("rapport.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(PermissionDenied):
        attachments.attachment_add(deviation=d, user=user("entreprenor-mas"), upload=upload)
    assert not DeviationAttachment.objects.filter(deviation=d).exists()
