"""Browser journey (issue 13): the MAS records a Lex Maria event analysis choosing the analysis leader and the
action's owner by keyboard in the type-ahead picker, which tells namesakes apart and offers only who may lead."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.lexmaria import demo as demo_lexmaria
from incidents.lexmaria.models import LexMariaCase
from incidents.models import DeviationAction
from responsibility.models import Person
from tests.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pick(page, label: str, typed: str, option: str):
    """Type ``typed`` into the combobox labelled ``label`` and choose ``option`` with the arrow keys and Enter."""
    combobox = page.get_by_role("combobox", name=re.compile(f"^{label}"))
    combobox.fill(typed)
    match = page.get_by_role("option", name=re.compile(f"^{re.escape(option)} – "))
    match.first.wait_for()
    assert combobox.get_attribute("aria-expanded") == "true"
    combobox.press("ArrowDown")
    assert match.first.get_attribute("aria-selected") == "true"
    combobox.press("Enter")
    assert combobox.input_value().startswith(f"{option} – ")
    assert combobox.get_attribute("aria-expanded") == "false"
    return combobox


def test_mas_picks_the_analysis_leader_by_keyboard_and_records_the_analysis(page):
    demo_lexmaria.load(today=timezone.localdate())
    case = LexMariaCase.objects.get(deviation__reference="AV-DEMO-LM-01")  # egen regi, Ekbacken
    leader = Person.objects.get(user__username="enhetschef")
    staff = Person.objects.get(user__username="rapportor")  # works at Ekbacken, leads nothing
    deadline = timezone.localdate() + timedelta(days=30)

    login(page, "mas")
    page.goto(case.get_absolute_url())
    page.get_by_role("heading", level=1, name=f"Lex Maria {case.reference}").wait_for()
    section = page.locator("section", has=page.get_by_role("heading", level=2, name="Händelseanalys"))

    # A staff member without a leading role is not offered as leader.
    leader_box = section.get_by_role("combobox", name=re.compile("^Analysledare"))
    leader_box.fill(staff.last_name)
    section.get_by_role("status").filter(has_text="Inga träffar.").wait_for()
    assert section.get_by_role("option").count() == 0

    box = _pick(section, "Analysledare", leader.last_name, str(leader))
    assert leader.email in box.input_value()  # what tells namesakes apart: title, workplace, e-mail
    assert page.input_value("#id_analyse-leader_select") == str(leader.pk)
    assert_accessible(page)

    section.get_by_label(re.compile("^Analysgrupp")).fill("Enhetschef, sjuksköterska, undersköterska")
    section.get_by_label(re.compile("^Händelseförlopp")).fill("22.15 fall i badrummet, 22.35 upptäckt.")
    section.get_by_label(re.compile("^Orsaker")).fill("Larmet var avstängt.")
    section.get_by_label(re.compile("^Åtgärd 1")).fill("Kontrollera larmen varje kväll")
    _pick(section, "Ansvarig för åtgärd 1", staff.last_name, str(staff))
    section.get_by_label(re.compile("^Tidsgräns för åtgärd 1")).fill(deadline.isoformat())
    assert_accessible(page)
    with page.expect_navigation():
        section.get_by_role("button", name="Registrera steget").click()
    page.locator(".messages").get_by_text(f"Steget ”Händelseanalys” är registrerat för {case.reference}.").wait_for()
    assert_accessible(page)
    case.refresh_from_db()
    assert case.analysis_leader_id == leader.pk
    action = DeviationAction.objects.get(deviation=case.deviation, description="Kontrollera larmen varje kväll")
    assert (action.owner_id, action.deadline) == (staff.pk, deadline)
