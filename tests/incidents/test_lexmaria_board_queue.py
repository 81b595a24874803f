"""The board's Lex Maria queue (issue 13): route and the informed-only marker, open/closed/all, sort, export
without patient data, "whose move" with names; the lex_maria_queue command's --state, route and board_role."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from incidents import routing
from incidents.lexmaria import demo as demo_lexmaria
from incidents.lexmaria.models import LexMariaCase, LexMariaState
from responsibility.models import Person
from tests.factories import user, user_for
from tests.incidents.lexmaria_factories import DEMO_PERSONNUMMER, deviation, open_case, unit_for_route

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _close(case: LexMariaCase) -> LexMariaCase:
    LexMariaCase.objects.filter(pk=case.pk).update(state=LexMariaState.CLOSED, closed_at=timezone.now())
    case.refresh_from_db()
    return case


def _row_of(html: str, reference: str) -> str:
    start = html.index(f">{reference}</a>")
    return html[start : html.index("</tr>", start)]


def _official(board_code: str):
    return user_for(Person.objects.get(email=f"official-{board_code}@demo.masportalen.se"))


def test_queue_shows_the_route_and_marks_cases_where_the_board_is_only_informed(client):
    """A board official sees the route in words; the private provider's case carries "Nämnden informeras
    endast", the board's own case does not."""
    own = open_case(route="own")
    provider = open_case(route="provider_mas")
    client.force_login(user("tjansteman"))
    own_row = _row_of(client.get(reverse("incidents:lex_maria_queue")).content.decode(), own.reference)
    assert "Egen regi: nämndens MAS anmäler" in own_row
    assert "Nämnden informeras endast" not in own_row
    client.force_login(_official(provider.board.code))
    provider_row = _row_of(client.get(reverse("incidents:lex_maria_queue")).content.decode(), provider.reference)
    assert "Privat vårdgivare: vårdgivarens MAS anmäler" in provider_row
    assert "Nämnden informeras endast" in provider_row


def test_open_closed_and_all(client):
    """Open cases by default; closed cases on "Avslutade"; both on "Alla"."""
    open_one = open_case(route="own")
    closed_one = _close(open_case(route="own"))
    client.force_login(user("tjansteman"))
    url = reverse("incidents:lex_maria_queue")
    default = client.get(url).content.decode()
    assert open_one.reference in default
    assert closed_one.reference not in default
    closed = client.get(url, {"state": "closed"}).content.decode()
    assert closed_one.reference in closed
    assert open_one.reference not in closed
    both = client.get(url, {"state": "all"}).content.decode()
    assert open_one.reference in both
    assert closed_one.reference in both


def test_sort_by_age(client):
    """Oldest first and newest first order the cases by the date of the decision."""
    old, new = open_case(route="own"), open_case(route="own")
    LexMariaCase.objects.filter(pk=old.pk).update(decided_at=timezone.now() - timezone.timedelta(days=30))
    client.force_login(user("tjansteman"))
    url = reverse("incidents:lex_maria_queue")
    oldest = client.get(url, {"sort": "age"}).content.decode()
    assert oldest.index(old.reference) < oldest.index(new.reference)
    newest = client.get(url, {"sort": "-age"}).content.decode()
    assert newest.index(new.reference) < newest.index(old.reference)
    assert "Äldst först" in oldest


def test_whose_move_names_the_verksamhetschef():
    """ "Whose move" names the unit's verksamhetschef routed with the deviation, not only the role."""
    from incidents.lexmaria.selectors import board_officials, queue_row
    from incidents.lexmaria.services import lex_maria_open

    dev = deviation(unit=unit_for_route("own"))
    route = routing.route(deviation=dev)
    routing.store_routing(deviation=dev, route=route)
    dev.save()
    case = lex_maria_open(deviation=dev, decided_by=user("mas"), motivation="Allvarlig vårdskada.")
    case = LexMariaCase.objects.select_related("deviation__operations_manager", "reporter_person").get(pk=case.pk)
    row = queue_row(case, officials=board_officials([case]))
    assert route.operations_manager is not None
    parts = dict(row.movers)
    assert parts["operations_manager"] == route.operations_manager.full_name
    assert route.operations_manager.full_name in row.whose_move


def test_export_csv_and_xlsx_hold_the_queue_without_patient_data(client):
    """CSV and XLSX of the filtered queue: the columns of the queue, the informed marker, no personnummer."""
    provider = open_case(route="provider_mas")
    closed = _close(open_case(route="provider_mas"))
    LexMariaCase.objects.filter(pk=provider.pk).update(patient_statement=f"Jag ({DEMO_PERSONNUMMER}) ringde.")
    client.force_login(_official(provider.board.code))
    url = reverse("incidents:lex_maria_export")
    response = client.get(url, {"format": "csv", "state": "all"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert DEMO_PERSONNUMMER not in text
    assert "1212" not in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:5] == ["Referens", "Enhet", "Nämnd", "Väg", "Nämndens roll"]
    by_reference = {r[0]: r for r in rows[1:]}
    assert by_reference[provider.reference][4] == "informeras"
    assert by_reference[closed.reference][5] == "Avslutad"
    response = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    references = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert provider.reference in references
    assert closed.reference not in references  # the default filter: open cases


def test_command_state_route_board_role_and_readable_text():
    """--state closed|all; the JSON rows carry route and board_role; the text output is lines, not a list."""
    demo_lexmaria.load(today=TODAY())
    board = "hagersten-liljeholmen"
    closed = _close(open_case(route="own"))
    out = io.StringIO()
    call_command("lex_maria_queue", board=board, format="json", state="closed", stdout=out)
    rows = json.loads(out.getvalue())
    assert closed.reference in {r["reference"] for r in rows}
    assert {r["state"] for r in rows} == {"closed"}
    mine = next(r for r in rows if r["reference"] == closed.reference)
    assert mine["route"] == "own"
    assert mine["board_role"] == "responsible"
    out = io.StringIO()
    call_command("lex_maria_queue", board=board, format="json", state="all", stdout=out)
    rows = json.loads(out.getvalue())
    assert closed.reference in {r["reference"] for r in rows}
    assert {r["board_role"] for r in rows} <= {"responsible", "informed"}
    assert all(r["route"] for r in rows)
    text = io.StringIO()
    call_command("lex_maria_queue", board=board, stdout=text)
    lines = text.getvalue().splitlines()
    assert lines
    assert not any(line.lstrip().startswith(("[", "{")) or "'part'" in line for line in lines)
    assert any("Margareta Ek" in line for line in lines)
    assert any("(nämnden ansvarig)" in line for line in lines)


@pytest.mark.django_db(transaction=True)
def test_board_official_journey_informed_marker_closed_cases_and_export(page):
    """From the start page the board official opens the queue, sees the private provider's case marked as
    only informed, switches to all cases sorted oldest first, and the export link keeps the filter."""
    from tests.conftest import assert_accessible, follow, login

    provider = open_case(route="provider_mas")
    official = _official(provider.board.code)
    official.set_password("demo-Pa55word!")
    official.save()
    login(page, official.username, "demo-Pa55word!")
    follow(page.get_by_role("link", name="Nämndens Lex Maria-kö: öppna ärenden").first)
    page.wait_for_url("**/avvikelser/lex-maria/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=provider.reference, exact=True))
    assert "Nämnden informeras endast" in row.inner_text()
    assert "Privat vårdgivare" in row.inner_text()
    assert_accessible(page)
    page.get_by_label("Status").select_option("all")
    page.get_by_label("Sortera efter").select_option("age")
    page.get_by_role("button", name="Filtrera").click()
    page.wait_for_url("**state=all**")
    export = page.get_by_role("link", name="Exportera CSV")
    assert "state=all" in export.get_attribute("href")
    assert "sort=age" in export.get_attribute("href")
    assert_accessible(page)
