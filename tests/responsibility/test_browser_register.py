"""Browser journey: the MAS views the responsibility matrix and opens a gap."""

import re

import pytest
from django.urls import reverse

from tests.conftest import assert_accessible, follow, login


@pytest.mark.browser
def test_mas_views_the_matrix_and_opens_a_gap(page):
    """The region MAS opens the matrix, follows a gap's link and lands on the unit page that explains it."""
    login(page, "mas")
    follow(page.get_by_role("link", name="Ansvarsmatris").first)
    page.wait_for_url(re.compile(reverse("responsibility:matrix")))
    assert page.locator("h1").inner_text() == "Ansvarsmatris"
    assert page.locator("#matrix tbody tr").count() > 0
    assert_accessible(page)

    page.get_by_label("Brist").select_option("R2")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(r"code=R2"))
    rows = page.locator("#matrix tbody tr")
    assert rows.count() > 0
    unit_code = rows.first.get_attribute("data-unit")
    unit_name = rows.first.locator("th a").inner_text()
    gap = rows.first.locator("a.finding-error", has_text="R2 Brist").first
    gap.click()

    page.wait_for_url(re.compile(reverse("responsibility:unit_detail", args=[unit_code])))
    assert page.locator("h1").inner_text() == unit_name
    findings = page.locator("#findings")
    assert "R2 Brist" in findings.inner_text()
    assert "Ingen lagstadgad MAS är registrerad för enheten." in findings.inner_text()
    assert page.locator("#roles-today").get_by_text("Saknas").count() >= 1
    assert_accessible(page)

    # The MAS's other register pages pass the same accessibility check.
    for name in ("responsibility:findings", "responsibility:unit_list"):
        page.goto(reverse(name))
        assert page.locator("h1").count() == 1
        assert_accessible(page)
