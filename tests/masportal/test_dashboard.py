"""The start page as a dashboard per role: figures that link to the filtered lists, constant query counts."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from incidents.models import Deviation, DeviationState
from tests.incidents.deviation_helpers import report
from tests.incidents.lexmaria_factories import open_case

pytestmark = pytest.mark.django_db


def _figure(html: str, label: str) -> int:
    """The count shown in the dashboard figure with ``label``."""
    match = re.search(r'<span class="figure-count">(\d+)</span> <span class="figure-label">' + re.escape(label), html)
    assert match, f"no figure {label!r}"
    return int(match.group(1))


def _grow(n: int) -> None:
    """More data of every kind the dashboards count: deviations in each state and Lex Maria cases."""
    for i in range(n):
        d = report(consequence=3, probability=3, days_ago=1 + i)
        Deviation.objects.filter(pk=d.pk).update(
            state=(DeviationState.AWAITING_MAS if i % 2 else DeviationState.INVESTIGATING),
            due_at=timezone.now() - timezone.timedelta(days=1),
        )
        open_case()


def test_mas_sees_what_to_assess_lex_maria_by_step_and_register_errors(client, demo_user):
    """The MAS's figures: deviations to assess (with overdue), Lex Maria per step with its next deadline,
    register gaps and warnings, actions to verify, expiring delegations; each links to its list."""
    client.force_login(demo_user("mas"))
    before_assess = _figure(client.get("/").content.decode(), "Avvikelser att bedöma")
    d = report(consequence=3, probability=3)
    Deviation.objects.filter(pk=d.pk).update(state=DeviationState.AWAITING_MAS)
    case = open_case()
    html = client.get("/").content.decode()
    assert _figure(html, "Avvikelser att bedöma") == before_assess + 1
    assert '<a href="/avvikelser/bedomning/">' in html
    assert _figure(html, f"Lex Maria: {case.get_state_display()}") >= 1
    assert html.count(f'href="/avvikelser/lex-maria/?state={case.state}"') == 1  # once, in one section
    assert "nästa tidsgräns" in html
    for label in ("Brister i ansvarsregistret", "Åtgärder från uppföljning att verifiera"):
        _figure(html, label)


def test_board_official_sees_the_boards_lex_maria_cases_and_a_chart_with_a_table(client, demo_user):
    """The board official: open/overdue/closed-this-year Lex Maria figures linking to the board's queue,
    deviations per month this year against last as an SVG image with a table of the same figures."""
    client.force_login(demo_user("tjansteman"))
    before = _figure(client.get("/").content.decode(), "Nämndens Lex Maria-kö: öppna ärenden")
    open_case()
    report()
    html = client.get("/").content.decode()
    assert _figure(html, "Nämndens Lex Maria-kö: öppna ärenden") == before + 1
    assert '<a href="/avvikelser/lex-maria/"><span class="figure-count">' in html
    _figure(html, "Lex Maria-ärenden avslutade i år")
    _figure(html, "Fel i ansvarsregistret")
    assert 'src="data:image/svg+xml;base64,' in html
    assert "Visa siffrorna som tabell" in html
    year = timezone.localdate().year
    assert f'<th scope="col">{year - 1}</th><th scope="col">{year}</th>' in html
    assert "Patient" not in html.split("<main", 1)[1]


def test_unit_manager_sees_what_to_investigate_and_the_actions_they_own(client, demo_user):
    """The enhetschef's figures: deviations to investigate (with overdue) and their follow-up actions."""
    client.force_login(demo_user("enhetschef"))
    before = _figure(client.get("/").content.decode(), "Avvikelser att utreda")
    report()
    html = client.get("/").content.decode()
    assert _figure(html, "Avvikelser att utreda") == before + 1
    _figure(html, "Mina åtgärder från uppföljningar")


def test_reporter_sees_their_latest_reports_with_state_and_feedback(client, demo_user):
    """The rapportör's dashboard lists their latest reports with state and the feedback they got."""
    d = report()
    Deviation.objects.filter(pk=d.pk).update(feedback_to_reporter="Tack, rutinen är ändrad.")
    client.force_login(demo_user("rapportor"))
    html = client.get("/").content.decode()
    row = re.search(rf"<tr><th scope=\"row\"><a href=\"/avvikelser/{d.pk}/\">{d.reference}</a></th>(.*?)</tr>", html)
    assert row, "the report is not on the dashboard"
    assert "Registrerad" in row.group(1)
    assert "Tack, rutinen är ändrad." in row.group(1)


# Measured start-page queries per role (session, user, roles, the register-admin look-up, the unread count,
# then one COUNT or aggregate per figure, a fixed number for the register checks and the chart); the same with
# more data. Complaints and collaboration deviations add one aggregate each for MAS, MAR and the managers.
# The register person comes with the roles (responsibility.permissions.user_scope). Issue 13 (1M bench): each
# figure with its overdue part is one aggregate, and the units a user sees one literal list per request
# (was mas 28, mar 22, enhetschef 15, verksamhetschef 15).
DASHBOARD_QUERIES = {"mas": 24, "mar": 20, "tjansteman": 18, "enhetschef": 14, "verksamhetschef": 13, "rapportor": 8}


@pytest.mark.parametrize(("username", "queries"), DASHBOARD_QUERIES.items())
def test_dashboard_query_count_does_not_grow_with_the_data(
    client, demo_user, username, queries, django_assert_num_queries
):
    """Each role's dashboard costs the same exact number of queries with little and with much more data."""
    client.force_login(demo_user(username))
    client.get("/")
    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200
    _grow(6)
    with django_assert_num_queries(queries):
        assert client.get("/").status_code == 200
