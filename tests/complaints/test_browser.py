"""Browser journeys of complaints and collaboration deviations, with axe on every page visited."""

from __future__ import annotations

import pytest

from complaints.models import CollaborationDeviation, Complaint
from tests.conftest import assert_accessible, follow, login


@pytest.mark.django_db(transaction=True)
def test_a_phone_complaint_is_registered_and_answered_within_the_deadline(page):
    """The MAS registers a relative's phone call about Ekbacken and records the answer the same day."""
    login(page, "mas")
    page.goto("/klagomal/")
    assert_accessible(page)
    follow(page.get_by_role("link", name="Registrera klagomål"))
    assert_accessible(page)
    page.get_by_label("Enhet").select_option(label="Ekbacken vård- och omsorgsboende")
    page.get_by_label("Telefon", exact=True).check()
    page.get_by_label("En närstående").check()
    page.get_by_label("Bemötande").check()
    page.get_by_label("Beskrivning").fill("Dottern ringde om att hennes mamma fick vänta länge på hjälp.")
    page.get_by_role("button", name="Registrera klagomålet").click()
    page.wait_for_url("**/klagomal/*/")
    complaint = Complaint.objects.order_by("-pk").first()
    assert complaint.channel == "phone"
    assert complaint.state == "registered"
    assert f"registrerat med referens {complaint.reference}" in page.locator(".messages").inner_text()
    assert_accessible(page)
    section = page.locator("section", has=page.get_by_role("heading", name="Registrera svaret"))
    section.get_by_label("Vad den som klagade fick veta").fill("Vi har pratat med personalen och bett om ursäkt.")
    section.get_by_label("Telefon", exact=True).check()
    section.get_by_label("Informerad om patientnämnden").check()
    section.get_by_role("button", name="Registrera svaret").click()
    page.wait_for_url(f"**/klagomal/{complaint.pk}/")
    complaint.refresh_from_db()
    assert complaint.state == "answered"
    assert complaint.answered_on <= complaint.answer_due
    assert complaint.informed_patient_board
    assert complaint.acknowledged_on == complaint.answered_on
    assert "Besvarat" in page.locator("dl.facts").first.inner_text()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_a_collaboration_deviation_is_sent_to_the_region_and_its_reply_registered(page):
    """The MAS sends a discharge without a medication list to Region Stockholm and registers the reply."""
    login(page, "mas")
    page.goto("/klagomal/samverkan/")
    assert_accessible(page)
    follow(page.get_by_role("link", name="Skicka samverkansavvikelse"))
    assert_accessible(page)
    page.get_by_label("Motpart", exact=True).select_option(label="Region Stockholm")
    page.get_by_label("Berört avtal om läkarmedverkan (om något)").select_option(index=1)
    page.get_by_label("Vår berörda enhet").select_option(label="Ekbacken vård- och omsorgsboende")
    page.get_by_label("Kategori", exact=True).select_option(label="Informationsöverföring/dokumentation")
    page.get_by_label("Vad hände", exact=True).fill("Utskriven från sjukhus utan aktuell läkemedelslista.")
    page.get_by_role("button", name="Registrera", exact=True).click()
    page.wait_for_url("**/klagomal/samverkan/*/")
    case = CollaborationDeviation.objects.order_by("-pk").first()
    assert case.direction == "outgoing"
    assert case.contract is not None
    assert_accessible(page)
    page.get_by_role("button", name="Skicka till motparten").click()
    page.wait_for_url(f"**/klagomal/samverkan/{case.pk}/")
    case.refresh_from_db()
    assert case.state == "sent"
    assert case.reply_due is not None
    section = page.locator("section", has=page.get_by_role("heading", name="Registrera motpartens svar"))
    section.get_by_label("Motpartens svar").fill("Regionen har infört kontroll av läkemedelslistan vid utskrivning.")
    section.get_by_role("button", name="Registrera motpartens svar").click()
    page.wait_for_url(f"**/klagomal/samverkan/{case.pk}/")
    case.refresh_from_db()
    assert case.state == "replied"
    assert case.reply.startswith("Regionen har infört")
    assert "Regionen har infört kontroll" in page.content()
    assert_accessible(page)
