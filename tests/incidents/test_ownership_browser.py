"""Browser journey (issue 15): a serious deviation on a unit whose MAS cannot be resolved lands with the
board's MAS marked "Ansvar oklart"; the register admin sees it, fixes the register; the job moves it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.scheduling import run_scheduled_jobs
from incidents.models import Deviation, DeviationState
from responsibility.choices import Role
from responsibility.models import Person, Unit
from responsibility.resolver import board_duty_holder
from tests.conftest import assert_accessible, follow, login
from tests.factories import user_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page) -> None:
    page.get_by_role("button", name="Logga ut").click()


def test_unresolvable_mas_falls_back_to_the_boards_mas_and_moves_when_the_register_is_fixed(page):
    unit = Unit.objects.select_related("board").filter(provider__name="Kastanjen Äldreomsorg AB").order_by("code")[0]
    manager = user_for(Person.objects.get(email=f"ec-{unit.code}@demo.masportalen.se"))
    board_mas = board_duty_holder(board=unit.board, role=Role.MAS, on=timezone.localdate()).holder
    board_mas_user = user_for(board_mas)
    newcomer = Person.objects.create(
        municipality_id=unit.municipality_id,
        first_name="Klara",
        last_name="Kastanj",
        profession="nurse",
        licensed=True,
        email="klara@example.se",
    )
    newcomer_user = user_for(newcomer)

    # The enhetschef reports a serious deviation and sends it to MAS.
    login(page, manager.username)
    page.goto("/avvikelser/ny/")
    occurred = timezone.localtime() - timedelta(hours=2)
    page.get_by_label("Enhet").select_option(label=unit.name)
    page.get_by_label("När hände det?").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("När upptäcktes det?").fill(occurred.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Kategori").select_option(label="Läkemedel")
    page.get_by_label("Vad hände?").fill("Dubbel dos insulin gavs; blodsockret sjönk kraftigt.")
    page.get_by_label("4 – Katastrofal").check()
    page.get_by_label("3 – Möjlig").check()
    page.get_by_role("button", name="Skicka", exact=True).click()
    page.wait_for_url("**/avvikelser/*/")
    deviation = Deviation.objects.get(reporter=manager)
    page.get_by_role("button", name="Skicka till MAS för bedömning").click()
    page.wait_for_load_state()
    messages = page.locator(".messages").inner_text()
    assert f"Ansvarig MAS/MAR är okänd; ärendet gick i stället till {board_mas.full_name}." in messages
    assert "Ansvar oklart (R5)" in messages
    assert "Ansvar oklart" in page.locator("main").inner_text()
    assert_accessible(page)
    deviation.refresh_from_db()
    assert (deviation.state, deviation.mas_person) == (DeviationState.AWAITING_MAS, board_mas)

    # It lands in the board's MAS's assessment queue, marked "Ansvar oklart".
    _logout(page)
    login(page, board_mas_user.username)
    page.goto("/avvikelser/bedomning/")
    row = page.locator("tr", has_text=deviation.reference)
    assert "Ansvar oklart" in row.inner_text()
    assert_accessible(page)

    # The register admin finds it in the list of unrouted cases and registers the contractor's MAS.
    _logout(page)
    login(page, "admin")
    follow(page.get_by_role("link", name="Ansvar oklart").first)
    page.get_by_role("heading", level=1, name="Ansvar oklart").wait_for()
    assert deviation.reference in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(reverse("responsibility:assignment_create"))
    page.select_option("#id_role", Role.MAS)
    # The person is picked by typing (a combobox offering only those who may hold the role).
    combobox = page.get_by_role("combobox", name=re.compile("^Person"))
    combobox.fill("Klara Kastanj")
    page.get_by_role("option", name=re.compile("^Klara Kastanj – ")).first.wait_for()
    combobox.press("ArrowDown")
    combobox.press("Enter")
    assert combobox.input_value().startswith("Klara Kastanj – ")
    page.select_option("#id_scope", "provider")
    page.select_option("#id_provider", label="Kastanjen Äldreomsorg AB")
    page.fill("#id_valid_from", "2024-01-01")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert "sparades" in page.locator(".messages").inner_text()

    # The scheduled job moves the case; the list is empty of it; the new MAS has it.
    run_scheduled_jobs(only="reroute_unclear_cases")
    page.goto(reverse("incidents:unrouted_cases"))
    assert deviation.reference not in page.locator("main").inner_text()
    _logout(page)
    login(page, newcomer_user.username)
    page.goto("/avvikelser/bedomning/")
    row = page.locator("tr", has_text=deviation.reference)
    assert "Ansvar oklart" not in row.inner_text()
    follow(page.get_by_role("link", name=deviation.reference))
    body = page.locator("main").inner_text()
    assert "Klara Kastanj" in body
    assert page.locator(".unclear").count() == 0  # the "Ansvar oklart" notice is gone; the history keeps it
    assert "Omfördelad när registret rättades. Bedöms av Klara Kastanj." in body
    assert_accessible(page)
