"""axe findings of issue 13, checked in the HTML: unique region names on the unit page (landmark-unique),
and the report's scrolling tables reachable by keyboard (scrollable-region-focusable)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.incidents.deviation_helpers import user

pytestmark = pytest.mark.django_db


def test_unit_page_regions_have_unique_names(client):
    """Each section of the unit page is a region named by its heading; no two share a name."""
    client.force_login(user("tjansteman"))
    html = client.get(reverse("responsibility:unit_detail", args=["hage-01"])).content.decode()
    ids = re.findall(r'<section aria-labelledby="([^"]+)"', html)
    names = [re.search(rf'id="{i}">([^<]+)<', html).group(1).strip() for i in ids]
    assert len(names) >= 4
    assert len(set(names)) == len(names), names
    assert f"Ansvar i dag ({timezone.localdate():%Y-%m-%d})" in names


def test_report_tables_scroll_regions_are_focusable_and_named(client):
    """Every scrolling table wrapper of the Lex Maria summary is focusable and named by its caption."""
    client.force_login(user("tjansteman"))
    today = timezone.localdate()
    html = client.get(
        reverse("reports:report_detail"),
        {
            "kind": "lex_maria",
            "scope": "board:hagersten-liljeholmen",
            "period_from": today.replace(month=1, day=1).isoformat(),
            "period_to": today.isoformat(),
        },
    ).content.decode()
    wraps = re.findall(r'<div class="table-wrap[^"]*"[^>]*>', html)
    assert wraps
    for wrap in wraps:
        assert 'tabindex="0"' in wrap
        label = re.search(r'aria-labelledby="([^"]+)"', wrap).group(1)
        assert f'<caption id="{label}">' in html
