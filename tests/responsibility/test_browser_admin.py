"""Browser journeys of register administration (real Chromium, axe checks on every page)."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from responsibility.choices import Role
from responsibility.models import Assignment, Unit
from tests.conftest import assert_accessible, follow, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Uploads land in a temporary directory, not in the checkout's var/."""
    settings.PRIVATE_FILES_ROOT = tmp_path


def _has_unit_page() -> bool:
    try:
        reverse("responsibility:unit_detail", args=["x"])
    except NoReverseMatch:
        return False
    return True


def test_admin_creates_a_unit_and_assigns_mas_and_operations_manager(page):
    """The admin creates a unit in the browser, then makes it a MAS and a verksamhetschef."""
    login(page, "admin")
    page.goto(reverse("responsibility:admin_home"))
    assert_accessible(page)
    follow(page.locator("main").get_by_role("link", name="Verksamheter", exact=True))
    assert_accessible(page)
    follow(page.get_by_role("link", name="Ny enhet"))
    assert_accessible(page)

    # A first attempt without a board keeps the input and says why.
    page.fill("#id_code", "hage-90")
    page.fill("#id_name", "Linnéan vård- och omsorgsboende")
    page.select_option("#id_unit_type", "care_home")
    page.select_option("#id_provider", label="Hägersten-Liljeholmens stadsdelsförvaltning (egen regi)")
    page.select_option("#id_operating_form", "own")
    page.fill("#id_places", "48")
    page.check("#id_provides_rehabilitation")
    page.get_by_role("button", name="Spara").click()
    summary = page.locator("#error-summary")
    assert "En enhet måste höra till en nämnd." in summary.inner_text()
    assert page.input_value("#id_name") == "Linnéan vård- och omsorgsboende"
    assert_accessible(page)
    assert not Unit.objects.filter(code="hage-90").exists()

    page.select_option("#id_board", label="Hägersten-Liljeholmens stadsdelsnämnd")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert "Enheten Linnéan vård- och omsorgsboende skapades." in page.locator(".messages").inner_text()
    assert_accessible(page)
    unit = Unit.objects.get(code="hage-90")

    for role, person in ((Role.MAS, "Margareta Ek"), (Role.OPERATIONS_MANAGER, "Viktor Hedlund")):
        page.goto(reverse("responsibility:assignment_create") + f"?unit=hage-90&role={role}")
        assert_accessible(page)
        assert page.input_value("#id_scope") == "unit"
        # The unit is a type-ahead picker too: its select (hidden behind the text box) carries the chosen unit.
        assert page.input_value("#id_unit_select") == str(unit.pk)
        assert page.input_value("#id_unit").startswith("Linnéan vård- och omsorgsboende – hage-90")
        # One scope field at a time; the staffing mandate only for an operations manager, never pre-ticked.
        assert page.locator("#id_unit").is_visible()
        assert not page.locator("#id_board").is_visible()
        assert not page.locator("#id_region").is_visible()
        mandate = page.locator("#id_has_staffing_mandate")
        assert mandate.is_visible() == (role == Role.OPERATIONS_MANAGER)
        assert not mandate.is_checked()
        # The person is picked by typing: a combobox whose list tells namesakes apart.
        combobox = page.get_by_role("combobox", name=re.compile("^Person"))
        combobox.fill(person)
        option = page.get_by_role("option", name=re.compile(f"^{person} – "))
        option.first.wait_for()
        assert combobox.get_attribute("aria-expanded") == "true"
        assert_accessible(page)
        combobox.press("ArrowDown")
        assert option.first.get_attribute("aria-selected") == "true"
        combobox.press("Enter")
        assert combobox.input_value().startswith(f"{person} – ")
        page.fill("#id_basis", "Beslut 2026")
        page.get_by_role("button", name="Spara").click()
        page.wait_for_load_state()
        assert "sparades" in page.locator(".messages").inner_text()
        assert_accessible(page)

    holders = set(Assignment.objects.filter(unit=unit).values_list("role", "person__last_name"))
    assert holders == {(Role.MAS, "Ek"), (Role.OPERATIONS_MANAGER, "Hedlund")}
    if _has_unit_page():
        page.goto(reverse("responsibility:unit_detail", args=["hage-90"]))
        body = page.locator("main").inner_text()
        assert "Margareta Ek" in body
        assert "Viktor Hedlund" in body
    else:
        page.goto(reverse("responsibility:assignment_list") + "?q=hage-90")
        rows = page.locator("tbody tr").all_inner_texts()
        assert any("Margareta Ek" in r and "MAS" in r for r in rows)
        assert any("Viktor Hedlund" in r for r in rows)
    assert_accessible(page)
    page.goto(reverse("responsibility:unit_history", args=["hage-90"]))
    assert page.locator("table.history tbody tr").count() == 3  # the unit and two assignments created
    assert_accessible(page)


def test_csv_import_with_two_bad_rows_shows_both_errors_and_saves_nothing(page):
    """Uploading a CSV with two bad rows shows both errors with row and column; nothing is saved."""
    content = (
        "code,name,unit_type,board,provider,operating_form,contract,places,provides_health_care,"
        "provides_rehabilitation,active_from,active_to\n"
        "hage-91,Lärkan,care_home,hagersten-liljeholmen,hagersten-liljeholmen,own,,40,ja,ja,2026-01-01,\n"
        "hage-92,Tallen,care_home,,hagersten-liljeholmen,own,,40,ja,ja,2026-01-01,\n"
        "hage-93,Eken,care_home,hagersten-liljeholmen,hagersten-liljeholmen,own,,många,ja,ja,2026-01-01,\n"
    ).encode()
    login(page, "admin")
    page.goto(reverse("responsibility:admin_home"))
    follow(page.get_by_role("link", name="Importera enheter"))
    assert_accessible(page)
    page.set_input_files("#id_file", files=[{"name": "enheter.csv", "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_url(re.compile(r"/import/units/[0-9a-f]{32}/$"))
    assert_accessible(page)
    assert "Filen har 2 fel. Ingenting har sparats." in page.locator("#error-summary").inner_text()
    errors = page.locator("table.import-errors tbody tr").all_inner_texts()
    assert len(errors) == 2
    assert "3" in errors[0]
    assert "board" in errors[0]
    assert "En enhet måste höra till en nämnd." in errors[0]
    assert "4" in errors[1]
    assert "places" in errors[1]
    assert "Skriv ett heltal som är 0 eller mer, inte många." in errors[1]
    assert page.get_by_role("button", name="Bekräfta importen").count() == 0
    assert not Unit.objects.filter(code__in=["hage-91", "hage-92", "hage-93"]).exists()


def test_contract_form_shows_physician_fields_only_for_that_type_and_filters_units(page):
    """The contract form hides läkarmedverkan unless chosen and narrows the covered units by typing."""
    login(page, "admin")
    page.goto(reverse("followup:contract_create"))
    assert_accessible(page)
    section = page.locator("#section-physician")
    page.select_option("#id_kind", "contract")
    assert not section.is_visible()
    page.select_option("#id_kind", "physician")
    assert section.is_visible()
    assert page.get_by_role("link", name="Avbryt").get_attribute("href") == reverse("followup:contract_list")
    unit = Unit.objects.order_by("name").first()
    boxes = page.locator("#id_units input[type=checkbox]")
    total = boxes.count()
    page.get_by_label("Sök verksamhet").fill(unit.code)
    visible = [b for b in boxes.all() if b.is_visible()]
    assert 1 <= len(visible) < total
    page.locator("#id_units label", has_text=f"({unit.code},").locator("input").check()
    assert "1 valda" in page.locator(".checkbox-filter [role=status]").inner_text()
    assert_accessible(page)
