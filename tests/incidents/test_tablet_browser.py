"""Lists on a tablet (issue 13): "Mina rapporter" shows state and feedback at 768 px without sideways scrolling,
drafts are told apart; the responsibility matrix's last column ("Brister") is not clipped at 1366 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Deviation, DeviationState
from tests.conftest import assert_accessible, login
from tests.incidents.deviation_helpers import report

FITS = "el => el.scrollWidth <= el.clientWidth + 1"


@pytest.mark.django_db(transaction=True)
def test_my_reports_fit_a_tablet_and_drafts_are_told_apart(tablet_page):
    """At 768 px the table fits (no sideways scroll), its Status and Återkoppling columns are on screen, and
    three drafts show their time and the start of their text."""
    page = tablet_page
    closed = report()
    Deviation.objects.filter(pk=closed.pk).update(
        state=DeviationState.CLOSED, feedback_to_reporter="Tack, rutinen för larm är ändrad."
    )
    texts = ["Medicinvagnen stod olåst", "Boende halkade i duschen", "Larmet fungerade inte"]
    for i, text in enumerate(texts):
        d = report(submit=False)
        Deviation.objects.filter(pk=d.pk).update(description=text, created_at=timezone.now() + timedelta(minutes=i + 1))
    login(page, "rapportor")
    page.goto("/avvikelser/mina/")
    table = page.locator("#my-reports")
    wrap = page.locator(".table-wrap").filter(has=table)
    assert wrap.evaluate(FITS)
    width = page.viewport_size["width"]
    for name in ("Status", "Återkoppling"):
        box = table.get_by_role("columnheader", name=name).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= width
    assert "Tack, rutinen för larm är ändrad." in table.inner_text()
    drafts = [table.get_by_role("rowheader").filter(has_text=text) for text in texts]
    labels = [d.inner_text() for d in drafts]
    assert all(label.startswith("Utkast ") for label in labels)
    assert len(set(labels)) == 3
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_matrix_findings_column_not_clipped_at_1366(browser, live_server, live_demo):
    """On a 1366 px screen the matrix fits its frame: the "Brister" column is fully visible."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900}, locale="sv-SE")
    page = context.new_page()
    try:
        login(page, "admin")
        page.goto("/register/matris/")
        table = page.locator("#matrix")
        assert page.locator(".table-wrap").filter(has=table).evaluate(FITS)
        box = table.get_by_role("columnheader", name="Brister").bounding_box()
        assert box["x"] + box["width"] <= 1366
    finally:
        context.close()
