"""Browser journeys of the deviation workflow, with axe checks on every page visited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation, DeviationState
from tests.conftest import assert_accessible, follow, login
from tests.incidents.deviation_helpers import report


@pytest.mark.django_db(transaction=True)
def test_staff_reports_on_a_tablet_and_sees_the_reference(tablet_page):
    """A rapportör fills the quick form on a tablet, sees the risk level live, submits and gets the reference."""
    page = tablet_page
    login(page, "rapportor")
    page.goto("/avvikelser/ny/")
    assert_accessible(page)
    occurred = timezone.localtime() - timedelta(hours=1)
    page.get_by_label("När hände det?").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("När upptäcktes det?").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Kategori").select_option(label="Läkemedel")
    page.get_by_label("Vad hände?").fill("Kvällsdosen gavs inte; signeringslistan var tom.")
    page.get_by_label("Patientens personnummer (frivilligt)").fill("19121212-1212")
    page.get_by_label("3 – Betydande").check()
    page.get_by_label("3 – Möjlig").check()
    assert page.locator("#risk-level").inner_text() == "Hög (9)"
    page.get_by_role("button", name="Skicka", exact=True).click()
    page.wait_for_url("**/avvikelser/*/")
    deviation = Deviation.objects.filter(reporter__username="rapportor").order_by("-pk").first()
    assert deviation.state == DeviationState.REGISTERED
    assert f"registrerad med referens {deviation.reference}" in page.locator(".messages").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == f"Avvikelse {deviation.reference}"
    assert_accessible(page)
    page.goto("/avvikelser/mina/")
    assert deviation.reference in page.content()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_unit_manager_investigates_and_sends_to_mas(page):
    """The enhetschef finds the report in the queue, records causes and an action, and sends it to MAS."""
    deviation = report(consequence=3, probability=3)
    login(page, "enhetschef")
    page.goto("/avvikelser/?state=registered")
    assert_accessible(page)
    follow(page.get_by_role("link", name=deviation.reference))
    assert_accessible(page)
    page.get_by_label("Orsaker").fill("Signeringslistan byttes inte vid ordinationsändring.")
    page.get_by_role("button", name="Spara utredningen").click()
    assert "Utredningen är sparad." in page.locator(".messages").inner_text()
    page.get_by_role("textbox", name=re.compile("^Åtgärd")).fill("Ny rutin för byte av signeringslista.")
    page.get_by_label("Ansvarig").select_option(index=1)
    page.get_by_label("Senast klar").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Lägg till åtgärden").click()
    assert "Åtgärden är tillagd." in page.locator(".messages").inner_text()
    page.get_by_role("button", name="Skicka till MAS för bedömning").click()
    assert_accessible(page)
    deviation.refresh_from_db()
    assert deviation.state == DeviationState.AWAITING_MAS
    assert deviation.actions.count() == 1


@pytest.mark.django_db(transaction=True)
def test_mas_assesses_no_lex_maria_and_closes_with_feedback(page):
    """The MAS finds it in the assessment queue, decides "no" with motivation and closes with feedback."""
    deviation = report(consequence=4, probability=3, pnr="19121212-1212")
    Deviation.objects.filter(pk=deviation.pk).update(
        state=DeviationState.AWAITING_MAS, due_at=timezone.now() - timedelta(days=1)
    )
    login(page, "mas")
    page.goto("/avvikelser/bedomning/")
    assert "Försenad" in page.locator("tr", has_text=deviation.reference).inner_text()
    assert_accessible(page)
    follow(page.get_by_role("link", name=deviation.reference))
    assert "19121212-1212" in page.content()
    assert_accessible(page)
    page.get_by_role("textbox", name=re.compile("^Bedömning")).fill("Ingen bestående skada; rutinbrist.")
    page.get_by_label("Nej").check()
    page.get_by_role("textbox", name=re.compile("^Motivering")).fill(
        "Händelsen har inte medfört och hade inte kunnat medföra allvarlig vårdskada."
    )
    page.get_by_role("button", name="Registrera MAS-bedömningen").click()
    assert_accessible(page)
    page.get_by_role("textbox", name=re.compile("^Återkoppling till rapportören")).fill(
        "Tack! Rutinen för signering är uppdaterad."
    )
    page.get_by_role("button", name="Avsluta med återkoppling till rapportören").click()
    deviation.refresh_from_db()
    assert deviation.state == DeviationState.CLOSED
    assert deviation.lex_maria_decision is False
    assert_accessible(page)
    page.goto("/avvikelser/logg/")
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_mas_decides_lex_maria_yes_and_reaches_the_case(page):
    """A "yes" with motivation opens the Lex Maria case, linked from the deviation."""
    deviation = report(consequence=4, probability=4)
    Deviation.objects.filter(pk=deviation.pk).update(state=DeviationState.AWAITING_MAS)
    login(page, "mas")
    page.goto(f"/avvikelser/{deviation.pk}/")
    page.get_by_role("textbox", name=re.compile("^Bedömning")).fill("Höftfraktur efter fall; bestående skada.")
    page.get_by_label("Ja: händelsen har medfört").check()
    page.get_by_role("textbox", name=re.compile("^Motivering")).fill("Allvarlig vårdskada enligt PSL 1 kap. 5 §.")
    page.get_by_role("button", name="Registrera MAS-bedömningen").click()
    assert_accessible(page)
    case = LexMariaCase.objects.get(deviation=deviation)
    follow(page.get_by_role("link", name=case.reference, exact=True))
    page.wait_for_url(f"**/lex-maria/{case.pk}/")
    assert_accessible(page)
