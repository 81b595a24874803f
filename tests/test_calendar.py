"""Swedish working days (SPEC §4): weekends, public holidays and the three eves, around Christmas, New Year,
Easter and midsummer 2026–2027; one calendar used by the MAS deadline."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.calendar import add_working_days, is_working_day, midsummer_eve
from incidents import workflow
from incidents.models import DeviationState
from responsibility.models import Municipality
from tests.factories import unit
from tests.incidents.lexmaria_factories import deviation


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 23), True),  # Wednesday before Christmas
        (date(2026, 12, 24), False),  # julafton
        (date(2026, 12, 25), False),  # juldagen
        (date(2026, 12, 26), False),  # annandag jul (Saturday)
        (date(2026, 12, 28), True),
        (date(2026, 12, 31), False),  # nyårsafton
        (date(2027, 1, 1), False),  # nyårsdagen
        (date(2027, 1, 6), False),  # trettondedag jul
        (date(2027, 1, 7), True),
        (date(2026, 4, 3), False),  # långfredagen
        (date(2026, 4, 6), False),  # annandag påsk
        (date(2026, 4, 7), True),
        (date(2027, 3, 26), False),  # långfredagen 2027
        (date(2027, 3, 29), False),  # annandag påsk 2027
        (date(2027, 3, 30), True),
        (date(2026, 6, 19), False),  # midsommarafton 2026
        (date(2026, 6, 22), True),
        (date(2027, 6, 25), False),  # midsommarafton 2027
        (date(2027, 6, 24), True),
        (date(2026, 5, 14), False),  # Kristi himmelsfärds dag
        (date(2026, 6, 6), False),  # nationaldagen (Saturday)
    ],
)
def test_working_days_around_the_holidays(day, working):
    """A working day is Monday–Friday that is neither a public holiday nor julafton/midsommarafton/nyårsafton."""
    assert is_working_day(day) is working


def test_midsummer_eve_is_the_friday_between_19_and_25_june():
    assert [midsummer_eve(y) for y in (2026, 2027)] == [date(2026, 6, 19), date(2027, 6, 25)]


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 12, 23), 3, date(2026, 12, 30)),  # past julafton, juldagen and the weekend
        (date(2026, 12, 30), 3, date(2027, 1, 7)),  # past nyårsafton, nyårsdagen and trettondedagen
        (date(2027, 1, 5), 1, date(2027, 1, 7)),  # past trettondedagen
        (date(2026, 4, 1), 3, date(2026, 4, 8)),  # past Easter
        (date(2026, 6, 17), 3, date(2026, 6, 23)),  # past midsommarafton
        (date(2027, 12, 22), 3, date(2027, 12, 28)),  # Christmas 2027: 23 Thu, (24 julafton), 27, 28
    ],
)
def test_adding_working_days(start, days, expected):
    assert add_working_days(start, days) == expected


@pytest.mark.django_db
def test_the_eves_are_a_setting_of_the_municipality():
    """A municipality that works on the eves counts julafton as a working day."""
    municipality = Municipality.objects.get(code="stockholm")
    assert add_working_days(date(2026, 12, 23), 1, municipality=municipality) == date(2026, 12, 28)
    municipality.eves_are_non_working = False
    assert add_working_days(date(2026, 12, 23), 1, municipality=municipality) == date(2026, 12, 24)


@pytest.mark.django_db
def test_the_mas_deadline_never_falls_on_a_holiday():
    """Sent to MAS on 23 December 2026: 3 working days end on 30 December, not on juldagen."""
    dev = deviation(unit=unit("hage-01"), state=DeviationState.INVESTIGATING)
    sent = datetime(2026, 12, 23, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    due = workflow.due_for(deviation=dev, state=DeviationState.AWAITING_MAS, now=sent)
    assert timezone.localtime(due).date() == date(2026, 12, 30)
    assert timezone.localtime(due).hour == 10
