"""Browser journey (issue 13): the MAS registers a delegation choosing the unit and both people by typing, with the
keyboard, in the register's type-ahead picker; the delegate is offered only among the people of the chosen unit."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import Delegation
from tests.conftest import assert_accessible, follow, login
from tests.factories import person, unit

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


def test_mas_registers_a_delegation_through_the_pickers(page):
    ekbacken = unit("hage-01")
    nurse = person("nurse-hage-01")  # Maria Olsson, legitimerad sjuksköterska at Ekbacken
    staff = person("staff-hage-01")  # Rut Nyberg, undersköterska at Ekbacken
    elsewhere = person("staff-hage-02")  # Elin Johansson, at another unit
    today = timezone.localdate()

    login(page, "mas")
    page.goto(reverse("followup:delegation_list"))
    follow(page.get_by_role("link", name="Registrera en delegering"))
    page.get_by_role("heading", level=1, name="Registrera en delegering").wait_for()
    assert_accessible(page)

    unit_box = page.get_by_role("combobox", name=re.compile("^Enhet"))
    unit_box.fill("Ekbacken")
    page.get_by_role("option", name=re.compile("^Ekbacken")).first.wait_for()
    assert_accessible(page)  # with the list box open
    _pick(page, "Enhet", "Ekbacken", ekbacken.name)
    assert page.input_value("#id_unit_select") == str(ekbacken.pk)

    # Namesakes are told apart: the choice shows title, workplace and e-mail.
    _pick(page, "Delegerad av", str(nurse), str(nurse))
    assert page.input_value("#id_from_person_select") == str(nurse.pk)
    assert nurse.email in page.get_by_role("combobox", name=re.compile("^Delegerad av")).input_value()

    # The delegate is searched among the people of the chosen unit only.
    delegate_box = page.get_by_role("combobox", name=re.compile("^Delegerad till"))
    delegate_box.fill(elsewhere.last_name)
    page.get_by_role("status").filter(has_text="Inga träffar.").wait_for()
    assert page.get_by_role("option").count() == 0
    _pick(page, "Delegerad till", staff.first_name, str(staff))

    page.get_by_label("Arbetsuppgifter").fill("Insulininjektion enligt ordination.")
    page.get_by_label("Giltig från").fill(today.isoformat())
    page.get_by_label("Giltig till").fill((today + timedelta(days=180)).isoformat())
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    assert "Delegeringen registrerades." in page.locator(".messages").inner_text()
    assert_accessible(page)
    delegation = Delegation.objects.get(tasks="Insulininjektion enligt ordination.")
    assert (delegation.unit_id, delegation.from_person_id, delegation.to_person_id) == (ekbacken.pk, nurse.pk, staff.pk)
