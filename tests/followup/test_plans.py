"""A plan's occurrences due by a date (followup/plans.py), computed without stepping through the old ones."""

from datetime import date, timedelta

import pytest

from followup.choices import PlanScope
from followup.models import FollowUpPlan
from followup.plans import UnitPeriod, plan_due, plan_occurrences


@pytest.mark.parametrize(("interval", "spread"), [(1, False), (3, False), (12, True), (36, True), (5, True)])
def test_the_occurrences_due_are_the_latest_past_and_the_coming_ones_of_the_whole_series(interval, spread):
    """Skipping the old occurrences finds, on every date, the same latest past and coming ones per unit as
    the whole series from the start (a start on the 31st: the month's last day in shorter months)."""
    units = [UnitPeriod(pk=pk, active_from=date(2020, 1, 1), active_to=None) for pk in range(1, 8)]
    plan = FollowUpPlan(
        scope=PlanScope.BOARD, interval_months=interval, spread_units=spread, starts_on=date(2021, 1, 31), lead_days=30
    )
    on = date(2020, 12, 1)
    while on < date(2027, 3, 1):
        series = plan_occurrences(plan, until=on + timedelta(days=30), units=units)
        latest = {}
        for occ in series:
            if occ.on <= on:
                latest[occ.unit.pk] = max(latest.get(occ.unit.pk, occ.on), occ.on)
        expected = [occ for occ in series if occ.on >= latest.get(occ.unit.pk, occ.on)]
        assert plan_due(plan, on=on, units=units) == expected, on
        on += timedelta(days=6)


def test_a_unit_outside_its_active_period_has_nothing_due():
    """An occurrence on a day the unit is not active is not due."""
    closed = UnitPeriod(pk=1, active_from=date(2020, 1, 1), active_to=date(2024, 6, 30))
    plan = FollowUpPlan(scope=PlanScope.BOARD, interval_months=12, starts_on=date(2021, 3, 1), lead_days=30)
    assert [o.on for o in plan_due(plan, on=date(2024, 3, 1), units=[closed])] == [date(2024, 3, 1)]
    assert plan_due(plan, on=date(2025, 3, 1), units=[closed]) == []
