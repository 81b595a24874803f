"""Swedish UI (issue 13): sort options and the access log's kind of access are in Swedish, never raw values."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.incidents.deviation_helpers import VALID_PNR, report, user

pytestmark = pytest.mark.django_db


def test_sort_options_of_the_deviation_queue_are_swedish(client):
    """Every sort option names its direction in Swedish: no "Due", no "(descending)"."""
    client.force_login(user("mas"))
    html = client.get(reverse("incidents:deviation_list")).content.decode()
    select = html[html.index('name="sort"') :]
    select = select[: select.index("</select>")]
    labels = re.findall(r">([^<]+)</option>", select)
    assert labels == [
        "Senaste först",
        "Inträffade, äldst först",
        "Inträffade, senast först",
        "Tidsgräns, närmast först",
        "Tidsgräns, senast först",
        "Riskpoäng, lägst först",
        "Riskpoäng, högst först",
        "Referens, stigande",
        "Referens, fallande",
    ]
    assert "descending" not in select
    assert "Due" not in select


def test_access_log_names_the_kind_of_access(client):
    """The MAS's log review says "Visade" and "Skrev ut (PDF)", not the stored values "view" and "print"."""
    d = report(pnr=VALID_PNR)
    client.force_login(user("enhetschef"))
    client.get(reverse("incidents:deviation_detail", args=[d.pk]))
    client.get(reverse("incidents:deviation_pdf", args=[d.pk]))
    client.force_login(user("mas"))
    html = client.get(reverse("incidents:access_log")).content.decode()
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert "Visade" in cells
    assert "Skrev ut (PDF)" in cells
    assert "view" not in cells
    assert "print" not in cells
