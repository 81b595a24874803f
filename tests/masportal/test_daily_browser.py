"""Browser journeys of the daily tools: notifications inbox, global search, the role dashboards (with axe)."""

from __future__ import annotations

import pytest

from core import services
from core.models import Notification
from tests.conftest import assert_accessible, follow, login


@pytest.mark.django_db(transaction=True)
def test_inbox_read_and_unread(page, django_user_model):
    """The MAS sees the unread count in the header, opens the inbox, follows one notification (now read),
    then marks all as read and the count disappears."""
    mas = django_user_model.objects.get(username="mas")
    Notification.objects.filter(recipient=mas).delete()
    for i in range(2):
        services.notify(
            recipients=[mas],
            kind="test",
            subject=f"Avvikelse AV-2026-00000{i} väntar på bedömning",
            link="/avvikelser/bedomning/",
            dedupe_key=f"browser:{i}",
        )
    login(page, "mas")
    header_link = page.locator("a.inbox-link")
    assert header_link.inner_text().replace("\n", " ").startswith("Aviseringar 2")
    header_link.click()
    page.wait_for_url("**/aviseringar/")
    assert page.get_by_role("heading", level=1).inner_text() == "Aviseringar"
    assert page.locator("tr.is-unread").count() == 2
    assert_accessible(page)
    follow(page.get_by_role("link", name="Avvikelse AV-2026-000001 väntar på bedömning"))
    page.wait_for_url("**/avvikelser/bedomning/")
    assert "Aviseringar 1" in page.locator("a.inbox-link").inner_text().replace("\n", " ")
    page.goto("/aviseringar/")
    assert page.locator("tr.is-unread").count() == 1
    assert page.locator("tr.is-read").count() == 1
    page.get_by_role("button", name="Markera alla som lästa").click()
    assert "1 avisering markerad som läst." in page.locator(".messages").inner_text()
    assert page.locator("tr.is-unread").count() == 0
    assert page.locator(".badge-unread").count() == 0
    page.get_by_label("Ett e-brev om dagen med alla aviseringar (sammanfattning)").check()
    page.get_by_role("button", name="Spara").click()
    assert "Du får ett e-brev om dagen" in page.locator(".messages").inner_text()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_search_for_a_reference_a_unit_and_a_word(page):
    """From the header the MAS jumps to a deviation by its reference, finds a unit by name and a deviation by a
    word in its description; the results page passes axe."""
    from incidents.models import Deviation
    from tests.incidents.deviation_helpers import report

    deviation = report()
    Deviation.objects.filter(pk=deviation.pk).update(description="Insulinpennan låg kvar i medicinvagnen.")
    login(page, "mas")
    box = page.get_by_role("searchbox", name="Sök")
    box.fill(deviation.reference)
    box.press("Enter")
    page.wait_for_url(f"**/avvikelser/{deviation.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Avvikelse {deviation.reference}"

    page.get_by_role("searchbox", name="Sök").fill("Ekbacken")
    page.get_by_role("button", name="Sök").first.click()
    page.wait_for_url("**/sok/?q=Ekbacken")
    units = page.get_by_role("region", name="Verksamheter")
    assert units.get_by_role("link", name="Ekbacken vård- och omsorgsboende").count() == 1
    assert_accessible(page)

    page.get_by_label("Sök på en referens").fill("medicinvagnen")
    page.get_by_label("Sök på en referens").press("Enter")
    page.wait_for_url("**/sok/?q=medicinvagnen")
    deviations = page.get_by_role("region", name="Avvikelser")
    follow(deviations.get_by_role("link", name=deviation.reference))
    page.wait_for_url(f"**/avvikelser/{deviation.pk}/")
    assert_accessible(page)


DASHBOARD_FIGURES = {
    "mas": ("Avvikelser att bedöma", "Brister i ansvarsregistret", "Åtgärder från uppföljning att verifiera"),
    "mar": ("Avvikelser att bedöma", "Brister i ansvarsregistret"),
    "tjansteman": (
        "Nämndens Lex Maria-kö: öppna ärenden",
        "Lex Maria-ärenden avslutade i år",
        "Fel i ansvarsregistret",
    ),
    "enhetschef": ("Avvikelser att utreda", "Mina åtgärder från uppföljningar"),
    "verksamhetschef": ("Avvikelser att utreda", "Mina åtgärder från uppföljningar"),
    "rapportor": ("Rapportera avvikelse", "Mina rapporter"),
}


@pytest.mark.django_db(transaction=True)
def test_each_roles_dashboard_shows_its_figures_and_passes_axe(page):
    """Every role's start page shows the figures that role acts on, as links; the board official's chart has a
    table alternative; the rapportör sees their latest report; every dashboard passes axe."""
    from tests.incidents.deviation_helpers import report
    from tests.incidents.lexmaria_factories import open_case

    deviation = report()
    open_case()
    for username, labels in DASHBOARD_FIGURES.items():
        page.context.clear_cookies()
        login(page, username)
        page.goto("/")
        for label in labels:
            assert page.locator(".dashboard-figures a", has_text=label).count() >= 1, (username, label)
        if username == "tjansteman":
            page.locator(".dashboard-chart summary").first.click()
            assert page.locator(".dashboard-chart table").first.is_visible()
            assert page.locator(".dashboard-chart img").first.get_attribute("alt").startswith("Rapporterade avvikelser")
            follow(page.get_by_role("link", name="Nämndens Lex Maria-kö: öppna ärenden"))
            page.wait_for_url("**/avvikelser/lex-maria/")
            page.goto("/")
        if username == "rapportor":
            assert (
                page.get_by_role("region", name="Dina senaste rapporter")
                .get_by_role("link", name=deviation.reference)
                .count()
                == 1
            )
        assert_accessible(page)
