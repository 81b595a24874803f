"""Deviation queues and exports: filters, overdue text, no patient data in exports, exact query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Deviation, DeviationState
from tests.factories import category
from tests.incidents.deviation_helpers import VALID_PNR, report

pytestmark = pytest.mark.django_db


def _login(client, username: str) -> None:
    client.force_login(__import__("django.contrib.auth").contrib.auth.get_user_model().objects.get(username=username))


# --- queues: filters and exact query counts -------------------------------------------------------------


def test_queue_filter_choices_are_read_without_the_deviations(client):
    """The unit and category choices come from the register and the category table, so their cost does not grow
    with the deviations; every category of the municipality is offered and filtering by one keeps only its rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.models import DeviationCategory
    from incidents.selectors import queue_filter_choices
    from responsibility.permissions import units_visible_to

    medication = category("lakemedel")
    report(by="rapportor", category_code="lakemedel")
    _login(client, "enhetschef")
    url = reverse("incidents:deviation_list")
    response = client.get(url)
    enhetschef = response.wsgi_request.user
    filters = response.context["filterset"].filters
    assert set(filters["category"].queryset) == set(
        DeviationCategory.objects.filter(municipality=medication.municipality)
    )
    assert set(filters["unit"].queryset) == set(units_visible_to(enhetschef))
    with CaptureQueriesContext(connection) as queries:
        units, categories = queue_filter_choices(user=enhetschef)
        list(units), list(categories)
    assert len(queries) == 2
    assert not any('"incidents_deviation"' in q["sql"] for q in queries)
    rows = client.get(url, {"category": medication.pk}).context["page"].object_list
    assert rows
    assert {d.category_id for d in rows} == {medication.pk}


def test_queue_filters_and_overdue_text(client):
    """Filtering by state and overdue works; overdue rows say so in text."""
    d = report()
    Deviation.objects.filter(pk=d.pk).update(due_at=timezone.now() - timedelta(days=1))
    _login(client, "enhetschef")
    body = client.get(reverse("incidents:deviation_list") + "?overdue=on&state=registered").content.decode()
    assert d.reference in body
    assert "Försenad" in body
    body = client.get(reverse("incidents:deviation_list") + "?state=closed").content.decode()
    assert d.reference not in body


def _more(n: int) -> None:
    for _ in range(n):
        report()


# Session, user, scope (with the person), one register-admin look-up, the rows with their total (one statement:
# core.paging.counted_page), filter choices (2). Each count includes the unread-notification count in the header
# (read with the admin flag where the page has not asked that flag itself: my reports).
QUEUES = [
    ("enhetschef", "deviation_list", 9),
    ("verksamhetschef", "deviation_list", 9),
    ("mas", "deviation_list", 8),
    ("mas", "assessment_queue", 8),
    ("rapportor", "my_reports", 6),
]


@pytest.mark.parametrize(("username", "name", "queries"), QUEUES)
def test_queue_query_count_is_exact_and_constant_in_page_size(
    client, django_assert_num_queries, username, name, queries
):
    """A queue page costs the same exact number of queries whether it shows a few rows or a full page."""
    url = reverse(f"incidents:{name}")
    _login(client, username)
    client.get(url)  # warm up caches that are not per request (content types, translations)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    _more(30)
    Deviation.objects.filter(state=DeviationState.REGISTERED, unit__code="hage-01").update(
        state=DeviationState.AWAITING_MAS
    )
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25


def test_access_log_of_a_contractor_unit_belongs_to_the_contractors_mas(client):
    """The board's MAS does not review accesses at a unit where the contractor holds the MAS duty; its MAS does."""
    d = report(by="entreprenor-mas", unit_code="hage-02", pnr=VALID_PNR)
    _login(client, "entreprenor-mas")
    client.get(reverse("incidents:deviation_detail", args=[d.pk]))
    assert d.reference in client.get(reverse("incidents:access_log")).content.decode()
    _login(client, "mas")
    response = client.post(reverse("incidents:access_log"), {"patient": VALID_PNR})
    assert d.reference not in response.content.decode()
