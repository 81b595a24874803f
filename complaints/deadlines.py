"""Deadlines of complaints and collaboration deviations (SPEC §6a): working days and calendar months.

Working days come from the portal's one Swedish calendar
(:func:`core.calendar.add_working_days`: weekends, public holidays and,
by the municipality's setting, julafton, midsommarafton and nyårsafton).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from core.calendar import add_working_days


def acknowledge_due(*, received_on: date, working_days: int, municipality=None) -> date:
    """When receipt of a complaint must be confirmed (default 5 working days of the municipality's calendar)."""
    return add_working_days(received_on, working_days, municipality=municipality)


def answer_due(*, received_on: date, weeks: int, external_deadline: date | None = None) -> date:
    """When a complaint must be answered: IVO's date when IVO set one, else ``weeks`` after receipt."""
    if external_deadline is not None:
        return external_deadline
    return received_on + timedelta(weeks=weeks)


def end_of_day(on: date) -> datetime:
    """The last second of ``on`` in the portal's time zone (a date deadline passes at midnight)."""
    return timezone.make_aware(datetime.combine(on, time(23, 59, 59)))
