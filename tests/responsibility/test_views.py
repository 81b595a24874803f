"""Register read views: unit list, unit page, matrix (with export), findings dashboard.

Permission matrix for each: anonymous, no role, a role elsewhere, a role in scope; plus
exact query counts for the matrix and the unit page.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from responsibility.models import Board, Unit
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

UNIT_LIST = reverse("responsibility:unit_list")
MATRIX = reverse("responsibility:matrix")
FINDINGS = reverse("responsibility:findings")


def unit_url(code: str) -> str:
    return reverse("responsibility:unit_detail", args=[code])


@pytest.fixture
def as_user(client):
    """Log the client in as a demo login (or a fresh user without any role for "nobody")."""

    def login(username: str | None):
        client.logout()
        if username is None:
            return client
        if username == "nobody":
            user, _ = get_user_model().objects.get_or_create(username="nobody")
            client.force_login(user)
        else:
            assert client.login(username=username, password=DEMO_PASSWORD)
        return client

    return login


def listed_codes(response) -> set[str]:
    return set(re.findall(r'href="/register/enheter/([a-z0-9-]+)/"', response.content.decode()))


def matrix_codes(response) -> list[str]:
    return re.findall(r'<tr data-unit="([a-z0-9-]+)">', response.content.decode())


def board_codes(codes) -> set[str]:
    return set(Unit.objects.filter(code__in=codes).values_list("board__code", flat=True))


VASTRA = {"skarholmen", "alvsjo", "hagersten-liljeholmen"}


# --- anonymous -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [UNIT_LIST, unit_url("hage-01"), MATRIX, FINDINGS])
def test_anonymous_is_sent_to_login(client, url):
    """Every register page asks an anonymous visitor to log in."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


# --- unit list -------------------------------------------------------------------------------


def test_unit_list_without_role_is_empty(as_user):
    """A login without assignments sees no units."""
    response = as_user("nobody").get(UNIT_LIST)
    assert response.status_code == 200
    assert listed_codes(response) == set()
    assert "Inga enheter att visa" in response.content.decode()


def test_unit_list_reporter_sees_own_unit_only(as_user):
    """A reporter at Ekbacken sees Ekbacken."""
    assert listed_codes(as_user("rapportor").get(UNIT_LIST)) == {"hage-01"}


def test_unit_list_contractor_mas_sees_only_the_contractors_units(as_user):
    """The contractor's MAS sees Norrsken's units and nothing of the board's own operation."""
    codes = listed_codes(as_user("entreprenor-mas").get(UNIT_LIST))
    norrsken = set(Unit.objects.filter(provider__name="Norrsken Omsorg AB").values_list("code", flat=True))
    assert "hage-02" in codes
    assert codes == norrsken


def test_unit_list_filters_by_board_and_ignores_a_board_out_of_scope(as_user):
    """The region MAS can narrow to a board; a board outside the region is not a choice and leaks nothing."""
    client = as_user("mas")
    alvsjo = Board.objects.get(code="alvsjo")
    codes = listed_codes(client.get(UNIT_LIST, {"board": alvsjo.pk}))
    assert codes
    assert board_codes(codes) == {"alvsjo"}
    bromma = Board.objects.get(code="bromma")
    response = client.get(UNIT_LIST, {"board": bromma.pk})
    assert "Bromma" not in response.content.decode()
    assert board_codes(listed_codes(response)) <= VASTRA


def test_unit_list_is_paginated(as_user):
    """An admin sees every unit, 25 per page, with Swedish page navigation."""
    client = as_user("admin")
    first = client.get(UNIT_LIST)
    assert len(listed_codes(first)) == 25
    assert "Sida 1 av 3" in first.content.decode()
    second = client.get(UNIT_LIST, {"page": 2})
    assert len(listed_codes(second)) == 25
    assert not listed_codes(first) & listed_codes(second)


def test_unit_list_filters_by_operating_form_and_type(as_user):
    """Operating form and type filters narrow the list."""
    client = as_user("admin")
    codes = listed_codes(client.get(UNIT_LIST, {"operating_form": "own", "unit_type": "care_home"}))
    units = Unit.objects.filter(code__in=codes)
    assert codes
    assert {(u.operating_form, u.unit_type) for u in units} == {("own", "care_home")}


# --- unit page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "code", "status"),
    [
        ("nobody", "hage-01", 404),
        ("rapportor", "hage-02", 404),
        ("entreprenor-mas", "hage-01", 404),
        ("mas", "brom-01", 404),
        ("tjansteman", "brom-01", 404),
        ("mas", "finns-inte", 404),
        ("rapportor", "hage-01", 200),
        ("entreprenor-mas", "hage-02", 200),
        ("mas", "hage-02", 200),
        ("tjansteman", "hage-01", 200),
        ("admin", "brom-01", 200),
    ],
)
def test_unit_page_permissions(as_user, username, code, status):
    """A unit page is shown only to those whose scope covers the unit; others get 404 and no names."""
    response = as_user(username).get(unit_url(code))
    assert response.status_code == status
    if status == 404:
        # The page's own content (the header of the branded 404 page names the logged-in user).
        assert "Margareta Ek" not in response.content.decode().split("<main", 1)[1]


def test_unit_page_shows_the_four_roles_today_with_reasons(as_user):
    """Ekbacken: the region MAS and MAR, the board's verksamhetschef, the MAS as anmälningsansvarig."""
    body = as_user("rapportor").get(unit_url("hage-01")).content.decode()
    assert "<h1>Ekbacken vård- och omsorgsboende</h1>" in body
    today_table = body.split('id="roles-today"')[1].split("</table>")[0]
    for role, holder in [
        ("MAS (medicinskt ansvarig sjuksköterska)", "Margareta Ek"),
        ("MAR (medicinskt ansvarig för rehabilitering)", "Rasmus Lind"),
        ("Verksamhetschef", "Viktor Hedlund"),
        ("Anmälningsansvarig (Lex Maria)", "Margareta Ek"),
    ]:
        row = today_table.split(f'<th scope="row">{role}</th>')[1].split("</tr>")[0]
        assert holder in row, role
    assert "på region Västra söderort" in today_table
    assert "Inga brister eller varningar." in body


def test_unit_page_on_a_date_shows_the_deputy(as_user):
    """On 2026-07-10 the region MAS is on holiday: the page shows the deputy and whom they replace."""
    body = as_user("mas").get(unit_url("hage-01"), {"date": "2026-07-10"}).content.decode()
    chosen = body.split('id="roles-chosen"')[1].split("</table>")[0]
    assert "Ersättare för Margareta Ek" in chosen
    assert "Vem som är ansvarig 2026-07-10" in chosen


def test_unit_page_contract_clause_and_findings(as_user):
    """A Kastanjen unit: the contract clause in the reason, and R2/R5 with basis and fix link."""
    unit = Unit.objects.filter(provider__name="Kastanjen Äldreomsorg AB", board__code="hagersten-liljeholmen").first()
    body = as_user("mas").get(unit_url(unit.code)).content.decode()
    assert "Avtal SLK 2024/1104 4.11: MAS-ansvaret ligger hos vårdgivaren." in body
    findings = body.split('id="findings"')[1]
    assert "R2 Brist" in findings
    assert "Ingen lagstadgad MAS är registrerad för enheten." in findings
    assert "R5 Brist" in findings
    assert "HSL (2017:30) 11 kap. 4 §" in findings
    assert "Åtgärda" in findings


def test_unit_page_bad_date_is_explained_and_today_still_shown(as_user):
    """An impossible date gives a Swedish error summary and keeps today's answer."""
    response = as_user("mas").get(unit_url("hage-01"), {"date": "2026-02-30"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in body
    assert 'id="roles-today"' in body
    assert 'id="roles-chosen"' not in body


def test_unit_page_lists_operating_periods(as_user):
    """The operation over time is on the page."""
    body = as_user("entreprenor-mas").get(unit_url("hage-02")).content.decode()
    periods = body.split('id="periods-title"')[1]
    assert "Norrsken Omsorg AB" in periods
    assert "Entreprenad" in periods
    assert "SLK 2024/1100" in periods


def test_unit_page_query_count(as_user, django_assert_num_queries):
    """The unit page with a chosen date runs a fixed number of queries."""
    client = as_user("mas")
    client.get(unit_url("hage-01"))  # warm the session and translations
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        response = client.get(unit_url("hage-01"), {"date": "2026-07-10"})
    assert response.status_code == 200


# session, user, the register-admin look-up, user's assignments, the unit (with guardian grants),
# today (periods, assignments, rules, statutory), the chosen date (the same four), operating periods.
UNIT_PAGE_QUERIES = 15  # + the unread-notification count in the header


# --- matrix -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["nobody", "rapportor", "enhetschef", "verksamhetschef", "kvalitet"])
def test_matrix_is_refused_without_mas_mar_official_or_admin(as_user, username):
    """Only MAS, MAR, board officials and admins see the matrix."""
    response = as_user(username).get(MATRIX)
    assert response.status_code == 403
    assert "Margareta Ek" not in response.content.decode()


def test_matrix_contractor_mas_sees_only_the_contractors_units(as_user):
    """The contractor's MAS sees Norrsken's units and none of the board's."""
    codes = matrix_codes(as_user("entreprenor-mas").get(MATRIX))
    norrsken = set(Unit.objects.filter(provider__name="Norrsken Omsorg AB").values_list("code", flat=True))
    assert set(codes) == norrsken


def test_matrix_region_mas_sees_the_region_and_cannot_reach_another_board(as_user):
    """The region MAS sees Västra söderort's boards; asking for Bromma shows nothing of Bromma."""
    client = as_user("mas")
    codes = matrix_codes(client.get(MATRIX))
    assert "hage-01" in codes
    assert board_codes(codes) == VASTRA
    bromma = Board.objects.get(code="bromma")
    response = client.get(MATRIX, {"board": bromma.pk})
    assert board_codes(matrix_codes(response)) <= VASTRA
    assert "brom-" not in response.content.decode()


def test_matrix_board_official_defaults_to_their_board(as_user):
    """The board official starts on Hägersten-Liljeholmen's units."""
    codes = matrix_codes(as_user("tjansteman").get(MATRIX))
    assert codes
    assert board_codes(codes) == {"hagersten-liljeholmen"}


def test_matrix_marks_findings_with_text_and_links_to_the_unit(as_user):
    """A gap is marked in its cell with text ("R2 Brist") and a link to the unit's findings."""
    body = as_user("mas").get(MATRIX).content.decode()
    unit = Unit.objects.filter(provider__name="Kastanjen Äldreomsorg AB", board__code="hagersten-liljeholmen").first()
    row = body.split(f'<tr data-unit="{unit.code}">')[1].split("</tr>")[0]
    assert "R2 Brist" in row
    assert "Saknas" in row
    assert f'href="{unit_url(unit.code)}?date=' in row


def test_matrix_filters_by_finding_code_severity_and_operating_form(as_user):
    """Filtering by R9 shows Älvsjö's own unit only; by warning only warnings; by form only that form."""
    client = as_user("admin")
    assert matrix_codes(client.get(MATRIX, {"code": "R9"})) == ["alvs-01"]
    warnings = client.get(MATRIX, {"severity": "warning"}).content.decode()
    assert "R8 Varning" in warnings
    assert "Brist:" not in warnings
    contract_codes = matrix_codes(client.get(MATRIX, {"operating_form": "contract"}))
    assert contract_codes
    assert set(Unit.objects.filter(code__in=contract_codes).values_list("operating_form", flat=True)) == {"contract"}


def test_matrix_on_a_past_date(as_user):
    """On 2026-07-15 the Innerstaden region has no MAR: R3 appears for its units."""
    client = as_user("admin")
    region_pk = Board.objects.get(code="sodermalm").region_id
    assert matrix_codes(client.get(MATRIX, {"region": region_pk, "code": "R3", "date": "2026-07-15"}))
    assert not matrix_codes(client.get(MATRIX, {"region": region_pk, "code": "R3", "date": "2026-06-30"}))


def test_matrix_csv_export_is_exactly_what_is_shown(as_user):
    """The CSV has one row per unit shown with the same filters, names and finding codes, nothing more."""
    client = as_user("mas")
    params = {"severity": "error"}
    shown = matrix_codes(client.get(MATRIX, params))
    response = client.get(MATRIX, {**params, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"ansvarsmatris-{timezone.localdate().isoformat()}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Enhetskod", "Enhet"]
    assert rows[0][5:9] == [
        "MAS (medicinskt ansvarig sjuksköterska)",
        "MAR (medicinskt ansvarig för rehabilitering)",
        "Verksamhetschef",
        "Anmälningsansvarig (Lex Maria)",
    ]
    assert [r[0] for r in rows[1:]] == shown
    assert all("R" in r[9] for r in rows[1:])


def test_matrix_xlsx_export(as_user):
    """The XLSX export opens in a spreadsheet with the same rows."""
    client = as_user("tjansteman")
    shown = matrix_codes(client.get(MATRIX))
    response = client.get(MATRIX, {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Enhetskod"
    assert [row[0] for row in values[1:]] == shown


@pytest.mark.parametrize("params", [{"board": "alvsjo"}, {}])
def test_matrix_query_count_is_the_same_for_one_board_and_the_whole_municipality(
    as_user, django_assert_num_queries, params
):
    """The matrix runs the same number of queries for a board of 4 units and for all units."""
    client = as_user("admin")
    if params:
        params = {"board": Board.objects.get(code=params["board"]).pk}
    client.get(MATRIX, params)
    with django_assert_num_queries(MATRIX_QUERIES):
        response = client.get(MATRIX, params)
    assert response.status_code == 200
    assert len(matrix_codes(response)) == (4 if params else Unit.objects.count())


def test_matrix_builds_no_reason_text_and_the_unit_page_still_shows_it(as_user):
    """The matrix shows holders, not reasons: none is built for its thousand look-ups; the unit page builds its own."""
    response = as_user("admin").get(MATRIX)
    resolutions = [cell.resolution for row in response.context["matrix"].rows for cell in row.cells]
    assert len(resolutions) == 4 * Unit.objects.count()
    assert not any("reason" in vars(r) for r in resolutions)
    body = as_user("mas").get(unit_url("hage-01")).content.decode()
    assert "gäller från" in body


# session, user, filter choices (boards, regions, providers), board lookup, units, rules, periods,
# assignments, statutory assignments (the providers come with the units; a dated operation by another provider
# would read its provider); admin has no assignments and no guardian query.
MATRIX_QUERIES = 12  # + the unread-notification count in the header


# --- findings dashboard -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["nobody", "rapportor", "tjansteman", "enhetschef"])
def test_findings_dashboard_is_for_mas_mar_and_admins(as_user, username):
    """Without a MAS/MAR role (or admin) the dashboard is refused."""
    assert as_user(username).get(FINDINGS).status_code == 403


def test_findings_dashboard_groups_the_region_mas_findings_by_rule(as_user):
    """The region MAS sees their region's findings grouped by rule, with a fix link per finding."""
    body = as_user("mas").get(FINDINGS).content.decode()
    assert "<h1>Öppna brister</h1>" in body
    assert 'id="group-R9"' in body
    assert "alvs-01" in body
    assert 'id="group-R2"' in body
    codes = set(re.findall(r'href="/register/enheter/([a-z0-9-]+)/\?date=', body))
    assert codes
    assert board_codes(codes) <= VASTRA
    assert body.count(">Åtgärda<") == len(re.findall(r"<tr>\s*<th scope=\"row\">", body))


def test_findings_dashboard_contractor_mas_sees_only_their_own(as_user):
    """The contractor's MAS sees nothing of the board's findings."""
    body = as_user("entreprenor-mas").get(FINDINGS).content.decode()
    codes = set(re.findall(r'href="/register/enheter/([a-z0-9-]+)/\?date=', body))
    norrsken = set(Unit.objects.filter(provider__name="Norrsken Omsorg AB").values_list("code", flat=True))
    assert codes <= norrsken


def test_start_page_counts_the_mas_findings(as_user):
    """The MAS start page links to the dashboard with the number of gaps."""
    body = as_user("mas").get("/").content.decode()
    assert "Brister i ansvarsregistret" in body
    assert FINDINGS in body
