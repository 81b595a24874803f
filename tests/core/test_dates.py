"""The one rule for "active on a date" (core/dates.py): start and end inclusive, empty end open, revocation exclusive."""

from datetime import date, timedelta

import pytest

from core.dates import overlaps_q
from followup.models import Delegation
from responsibility.models import Assignment, RuleDefinition, Unit

START, END = date(2026, 3, 1), date(2026, 3, 31)


def _rows():
    closed = RuleDefinition.objects.create(
        code="T1", severity="error", effective_from=START, effective_to=END, legal_basis="—"
    )
    open_ended = RuleDefinition.objects.create(code="T2", severity="error", effective_from=START, legal_basis="—")
    return closed, open_ended


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (START - timedelta(days=1), set()),
        (START, {"T1", "T2"}),
        (END, {"T1", "T2"}),
        (END + timedelta(days=1), {"T2"}),
    ],
)
def test_active_on_boundaries_agree_with_is_active_on(on, expected):
    """The queryset and the instance answer alike: first and last day in, the day before and after out."""
    rows = _rows()
    assert (
        set(RuleDefinition.objects.active_on(on).filter(code__startswith="T").values_list("code", flat=True))
        == expected
    )
    assert {r.code for r in rows if r.is_active_on(on)} == expected


@pytest.mark.django_db
def test_overlaps_shares_a_day():
    """A period overlaps a range when they share at least one day (both ends inclusive, open end unbounded)."""
    _rows()

    def codes(a, b):
        return set(
            RuleDefinition.objects.filter(overlaps_q(RuleDefinition, a, b), code__startswith="T").values_list(
                "code", flat=True
            )
        )

    assert codes(END, END + timedelta(days=5)) == {"T1", "T2"}
    assert codes(END + timedelta(days=1), None) == {"T2"}
    assert codes(START - timedelta(days=9), START - timedelta(days=1)) == set()
    assert codes(START - timedelta(days=9), START) == {"T1", "T2"}


def test_period_fields_per_model():
    """Units use active_from/active_to, assignments valid_from/valid_to; both are inclusive."""
    unit = Unit(active_from=START, active_to=END)
    assert unit.is_active_on(START)
    assert unit.is_active_on(END)
    assert not unit.is_active_on(END + timedelta(days=1))
    assignment = Assignment(valid_from=START, valid_to=None)
    assert assignment.is_active_on(date(2030, 1, 1))
    assert not assignment.is_active_on(START - timedelta(days=1))
    q = str(Unit.active_q(START, prefix="unit__"))
    assert "unit__active_from__lte" in q
    assert "unit__active_to__gte" in q


def test_revocation_ends_validity_on_its_date():
    """A delegation revoked on a date was valid the day before and not on that date."""
    d = Delegation(valid_from=START, valid_to=END, revoked_at=START + timedelta(days=10))
    assert d.is_active_on(START + timedelta(days=9))
    assert not d.is_active_on(START + timedelta(days=10))
    q = str(Delegation.active_q(START))
    assert "revoked_at__gt" in q
    assert "valid_to__isnull" not in q
