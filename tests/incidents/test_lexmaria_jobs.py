"""Lex Maria reminders: before a step's deadline and once it is overdue, each exactly once."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from core.models import Notification
from incidents.lexmaria.jobs import lex_maria_reminders
from incidents.lexmaria.models import LexMariaCase
from tests.incidents.lexmaria_factories import open_case

pytestmark = pytest.mark.django_db


def _due(case, on):
    LexMariaCase.objects.filter(pk=case.pk).update(due_at=timezone.make_aware(datetime.combine(on, time(12))))


def _reminders(case, kind):
    return list(
        Notification.objects.filter(
            dedupe_key__startswith=f"lexmaria:{case.pk}:", dedupe_key__endswith=f":{kind}"
        ).values_list("recipient__username", "subject")
    )


def test_reminder_before_the_deadline_exactly_once():
    """Two days before (the municipality's setting) whoever moves next is reminded, once."""
    today = timezone.localdate()
    case = open_case(route="own")
    _due(case, today + timedelta(days=2))
    lex_maria_reminders(on=today, batch_size=100)
    sent = _reminders(case, "before")
    assert {u for u, _s in sent} == {"mas", "verksamhetschef"}
    assert all(case.reference in s and "ska vara klart" in s for _u, s in sent)
    total = Notification.objects.count()
    assert lex_maria_reminders(on=today, batch_size=100)["before"] == 0
    assert Notification.objects.count() == total
    lex_maria_reminders(on=today + timedelta(days=1), batch_size=100)
    assert len(_reminders(case, "before")) == 2  # the anmälningsansvarig and the verksamhetschef


def test_no_reminder_too_early():
    today = timezone.localdate()
    case = open_case(route="own")
    _due(case, today + timedelta(days=5))
    lex_maria_reminders(on=today, batch_size=100)
    assert _reminders(case, "before") == []
    assert _reminders(case, "overdue") == []


def test_overdue_reminder_exactly_once():
    """The day after the deadline an overdue reminder goes out once, and not again the next day."""
    today = timezone.localdate()
    case = open_case(route="contractor_via_board_mas")
    _due(case, today - timedelta(days=1))
    lex_maria_reminders(on=today, batch_size=100)
    sent = _reminders(case, "overdue")  # the contractor's MAS (Norrsken's verksamhetschef has no login)
    assert [u for u, _s in sent] == ["entreprenor-mas"]
    assert "försenat" in sent[0][1]
    assert lex_maria_reminders(on=today + timedelta(days=1), batch_size=100)["overdue"] == 0
    assert len(_reminders(case, "overdue")) == 1


def test_closed_cases_are_not_reminded():
    today = timezone.localdate()
    case = open_case(route="own")
    LexMariaCase.objects.filter(pk=case.pk).update(state="closed")
    _due(case, today - timedelta(days=1))
    lex_maria_reminders(on=today, batch_size=100)
    assert _reminders(case, "overdue") == []
