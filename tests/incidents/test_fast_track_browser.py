"""Browser journey of the MAS fast-track (SPEC §4): a risk-9 case in "Registrerad" is assessed at once."""

from __future__ import annotations

import re

import pytest

from incidents.lexmaria.models import LexMariaCase
from incidents.models import DeviationState
from tests.conftest import assert_accessible, follow, login
from tests.incidents.deviation_helpers import report


@pytest.mark.django_db(transaction=True)
def test_mas_fast_tracks_a_risk_9_case_and_opens_lex_maria(page):
    """The MAS finds the registered risk-9 case in her queue, takes it at once, decides "Ja" and follows the
    flash message's link to the new Lex Maria case."""
    deviation = report(consequence=3, probability=3)
    assert deviation.state == DeviationState.REGISTERED
    login(page, "mas")
    page.goto("/avvikelser/bedomning/")
    follow(page.get_by_role("link", name=deviation.reference, exact=True))
    page.wait_for_url(f"**/avvikelser/{deviation.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Ta in för MAS/MAR-bedömning nu (utredningen fortsätter)").click()
    assert "Enhetens utredning fortsätter" in page.locator(".messages").inner_text()
    page.get_by_role("textbox", name=re.compile("^Bedömning")).fill("Fall med huvudskada; risk för allvarlig skada.")
    page.get_by_label("Ja: händelsen har medfört").check()
    page.get_by_role("textbox", name=re.compile("^Motivering")).fill("Kunde ha medfört allvarlig vårdskada.")
    page.get_by_role("button", name="Registrera MAS-bedömningen").click()
    case = LexMariaCase.objects.get(deviation=deviation)
    flash = page.locator(".messages")
    assert f"Lex Maria-ärende {case.reference} är öppnat" in flash.inner_text()
    assert_accessible(page)
    follow(flash.get_by_role("link", name=f"öppna {case.reference}"))
    page.wait_for_url(f"**/lex-maria/{case.pk}/")
    assert_accessible(page)
