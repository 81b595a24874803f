"""Browser journey: the MAS records a Lex Maria step; the board official finds the case in the queue."""

import pytest
from django.utils import timezone

from incidents.lexmaria import demo as demo_lexmaria
from incidents.lexmaria.models import LexMariaCase, LexMariaState
from tests.conftest import assert_accessible, follow, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mas_records_a_step_and_the_board_official_sees_the_case(page):
    demo_lexmaria.load(today=timezone.localdate())
    case = LexMariaCase.objects.get(deviation__reference="AV-DEMO-LM-01")
    assert case.state == LexMariaState.DECIDED

    login(page, "mas")
    follow(page.get_by_role("link", name="Lex Maria", exact=True))
    page.get_by_role("heading", level=1, name="Lex Maria-ärenden").wait_for()
    assert_accessible(page)
    follow(page.get_by_role("link", name=case.reference))
    page.get_by_role("heading", level=1, name=f"Lex Maria {case.reference}").wait_for()
    assert_accessible(page)
    page.get_by_label("Datum då patienten eller närstående informerades").fill(timezone.localdate().isoformat())
    page.get_by_label("Informerad av (namn och titel)").fill("Elsa Berg, enhetschef")
    page.get_by_label("Patientens egen beskrivning av händelsen").fill("Larmet besvarades inte.")
    page.locator("section", has=page.get_by_role("heading", level=2, name="Patient informerad")).get_by_role(
        "button", name="Registrera steget"
    ).click()
    message = page.locator(".messages")
    message.get_by_text(f"Steget ”Patient informerad” är registrerat för {case.reference}.").wait_for()
    # The message links what to do next: the report to IVO ("snarast"), the step's form on this page.
    next_step = message.get_by_role("link", name="Anmäld till IVO")
    assert next_step.get_attribute("href").endswith("#step-title-report_to_ivo")
    # The steps are not a line: the analysis, the board and the report to IVO are all open now.
    for heading in ("Händelseanalys", "Nämnden informerad", "Anmäld till IVO"):
        assert page.get_by_role("heading", level=2, name=heading).is_visible()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.state == LexMariaState.PATIENT_INFORMED

    page.get_by_role("button", name="Logga ut").click()
    login(page, "tjansteman")
    page.goto("/avvikelser/lex-maria/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=case.reference))
    assert "Patient informerad" in row.inner_text()
    assert_accessible(page)
    follow(page.get_by_role("link", name=case.reference))
    page.get_by_role("heading", level=1, name=f"Lex Maria {case.reference}").wait_for()
    assert "Larmet besvarades inte." not in page.content()
    assert_accessible(page)
