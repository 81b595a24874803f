"""One routing engine (incidents/routing.py): a prebuilt index answers exactly as routing one deviation alone.

Callers that route many deviations (jobs, bulk registration, the volume generator) build a
``RoutingIndex`` once per date and pass it down; nothing about who is told may change by that.
"""

import pytest
from django.db.models import Count
from django.utils import timezone

from complaints import routing as complaint_routing
from incidents.lexmaria.routing import resolve_chain
from incidents.models import Deviation, DeviationState
from incidents.routing import RoutingIndex, RoutingIndexes, event_date, route
from responsibility.models import Unit
from responsibility.resolver import units_with_board

pytestmark = pytest.mark.django_db


def _deviations():
    deviations = list(
        Deviation.objects.exclude(state=DeviationState.DRAFT)
        .select_related("category", "municipality")
        .order_by("pk")[:300]
    )
    assert len({d.unit_id for d in deviations}) > 5  # the demo spans egen regi, contractors and private providers
    return deviations


def test_route_on_a_prebuilt_index_equals_routing_alone():
    """Every demo deviation: the same managers, MAS/MAR, owner, fallback and board copy either way."""
    deviations = _deviations()
    indexes = RoutingIndexes(units_with_board(Unit.objects.filter(pk__in={d.unit_id for d in deviations})))
    for d in deviations:
        assert route(d, index=indexes.for_deviation(d)) == route(d), d.reference


def test_lex_maria_chain_on_a_prebuilt_index_equals_resolving_alone():
    """The Lex Maria chain (route, reporter, board's MAS, fallback) is the same on a prebuilt index."""
    deviations = _deviations()
    indexes = RoutingIndexes(units_with_board(Unit.objects.filter(pk__in={d.unit_id for d in deviations})))
    for d in deviations:
        assert resolve_chain(d, index=indexes.for_deviation(d)) == resolve_chain(deviation=d), d.reference


def test_complaint_routing_on_a_prebuilt_index_equals_routing_alone():
    """Complaints use the same engine: verksamhetschef and MAS/MAR agree with and without an index."""
    on = timezone.localdate()
    units = list(units_with_board(Unit.objects.filter(municipality__code="stockholm")))
    index = RoutingIndex(units=units, on=on)
    for unit in units:
        for rehabilitation in (False, True):
            assert complaint_routing.route(
                unit=unit, on=on, rehabilitation=rehabilitation, index=index
            ) == complaint_routing.route(unit=unit, on=on, rehabilitation=rehabilitation), unit.code


def test_a_prebuilt_index_routes_without_queries(django_assert_num_queries):
    """Once the index is built, routing a deviation and resolving its chain read nothing more."""
    deviations = _deviations()
    day = event_date(deviations[0])
    same_day = [d for d in deviations if event_date(d) == day]
    units = units_with_board(Unit.objects.filter(pk__in={d.unit_id for d in same_day}))
    index = RoutingIndex(units=units, on=day)
    with django_assert_num_queries(0):
        for d in same_day:
            route(d, index=index)
            resolve_chain(d, index=index)


def test_index_is_built_in_a_fixed_number_of_queries(django_assert_num_queries):
    """Building the index reads the same number of statements for one unit or all of them."""
    day = timezone.localdate()
    one = list(units_with_board(Unit.objects.filter(pk=Unit.objects.order_by("pk").first().pk)))
    busiest = Unit.objects.annotate(n=Count("deviations")).order_by("-n").first()
    every = list(units_with_board(Unit.objects.filter(municipality_id=busiest.municipality_id)))
    assert len(every) > 10
    # municipal providers, operating periods, assignments, enhetschefer
    with django_assert_num_queries(4):
        RoutingIndex(units=one, on=day)
    with django_assert_num_queries(4):
        RoutingIndex(units=every, on=day)
