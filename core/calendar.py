"""Swedish working days: the one calendar every working-day deadline uses (SPEC §4).

A working day is Monday–Friday that is not a Swedish public holiday
(``holidays``' Sweden calendar: nyårsdagen, trettondedag jul, långfredagen,
påskdagen, annandag påsk, första maj, Kristi himmelsfärd, pingstdagen,
nationaldagen, midsommardagen, alla helgons dag, juldagen, annandag jul).
Julafton, midsommarafton and nyårsafton are not public holidays in law but are
non-working days in practice; whether they count as non-working is the
municipality's setting (``Municipality.eves_are_non_working``, on by default).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


def midsummer_eve(year: int) -> date:
    """Midsommarafton: the Friday between 19 and 25 June."""
    day = date(year, 6, 19)
    return day + timedelta(days=(4 - day.weekday()) % 7)


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("SE", years=year))


def non_working_eves(year: int) -> frozenset[date]:
    """Julafton, midsommarafton and nyårsafton of ``year``."""
    return frozenset({date(year, 12, 24), midsummer_eve(year), date(year, 12, 31)})


def is_working_day(day: date, *, eves_are_non_working: bool = True) -> bool:
    """Whether ``day`` is a Swedish working day."""
    if day.weekday() >= 5 or day in _public_holidays(day.year):
        return False
    return not (eves_are_non_working and day in non_working_eves(day.year))


def _eves_setting(municipality) -> bool:
    return True if municipality is None else bool(municipality.eves_are_non_working)


def add_working_days(start: date, days: int, *, municipality=None) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    eves = _eves_setting(municipality)
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current, eves_are_non_working=eves):
            days -= 1
    return current


def add_working_days_at(start: datetime, days: int, *, municipality=None) -> datetime:
    """``start`` (aware) plus ``days`` working days, keeping the time of day in Stockholm time."""
    local = timezone.localtime(start)
    target = add_working_days(local.date(), days, municipality=municipality)
    return timezone.make_aware(datetime.combine(target, local.time().replace(tzinfo=None)))


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months; the 31st becomes the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
