"""Figures of complaints and collaboration deviations for dashboards and reports (SPEC §6a, §7).

Builders take a unit scope and a period and return plain data: counts by
category, unit and outcome with answer times; per counterpart and per
agreement with reply times and overdue replies. No content, no patient
identity — board officials and reports read only these.

For the reports (Avvikelserapport, patientsäkerhetsberättelse): call
:func:`complaint_figures` and :func:`collaboration_figures` with the report's
units and period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import Count, QuerySet
from django.utils import timezone

from complaints.choices import ComplaintState, Direction, Outcome
from complaints.models import CollaborationDeviation, Complaint
from complaints.permissions import STATISTICS_ROLES
from complaints.workflow import COLLABORATION_OPEN_STATES, COMPLAINT_OPEN_STATES
from responsibility.permissions import units_visible_to


@dataclass
class ComplaintFigures:
    """Complaints received in a period within a scope."""

    total: int = 0
    open: int = 0
    overdue: int = 0
    answered: int = 0
    answered_in_time: int = 0
    median_answer_days: float | None = None
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_unit: list[tuple[str, int]] = field(default_factory=list)
    by_outcome: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    started_deviations: int = 0


@dataclass
class CounterpartFigures:
    name: str
    outgoing: int = 0
    incoming: int = 0
    replies_received: int = 0
    overdue_replies: int = 0
    median_reply_days: float | None = None


@dataclass
class CollaborationFigures:
    """Collaboration deviations of a period within a scope, per counterpart, agreement and category."""

    total: int = 0
    outgoing: int = 0
    incoming: int = 0
    overdue: int = 0
    per_counterpart: list[CounterpartFigures] = field(default_factory=list)
    per_agreement: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)


def _in_scope(qs: QuerySet, unit_ids) -> QuerySet:
    """Only the units of the scope (a literal list: every figure is scoped, never the whole table)."""
    return qs.filter(unit_id__in=list(unit_ids))


def complaint_figures(*, unit_ids, start: date, end: date, today: date | None = None) -> ComplaintFigures:
    """Complaints received from ``start`` to ``end`` in the units ``unit_ids``."""
    today = today or timezone.localdate()
    qs = _in_scope(Complaint.objects.filter(received_on__gte=start, received_on__lte=end), unit_ids)
    figures = ComplaintFigures()
    rows = list(
        qs.values_list(
            "state", "received_on", "answered_on", "answer_due", "due_at", "deviation_id", "outcome", "channel"
        )
    )
    now = timezone.now()
    answer_days = []
    outcomes: dict[str, int] = {}
    channels: dict[str, int] = {}
    for state, received, answered, answer_due, due_at, deviation_id, outcome, channel in rows:
        figures.total += 1
        if outcome:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        channels[channel] = channels.get(channel, 0) + 1
        if state in COMPLAINT_OPEN_STATES and state != ComplaintState.ANSWERED:
            figures.open += 1
        if state in COMPLAINT_OPEN_STATES and due_at is not None and due_at < now:
            figures.overdue += 1
        if answered is not None:
            figures.answered += 1
            answer_days.append((answered - received).days)
            if answered <= answer_due:
                figures.answered_in_time += 1
        if deviation_id is not None:
            figures.started_deviations += 1
    figures.median_answer_days = float(median(answer_days)) if answer_days else None
    figures.by_category = list(
        qs.values_list("categories__name").annotate(n=Count("pk", distinct=True)).order_by("-n", "categories__name")
    )
    figures.by_unit = list(qs.values_list("unit__name").annotate(n=Count("pk")).order_by("-n", "unit__name"))
    figures.by_outcome = [(str(label), outcomes[value]) for value, label in Outcome.choices if value in outcomes]
    from complaints.choices import Channel

    figures.by_channel = [(str(label), channels[value]) for value, label in Channel.choices if value in channels]
    return figures


def collaboration_figures(*, unit_ids, start: date, end: date) -> CollaborationFigures:
    """Collaboration deviations that occurred from ``start`` to ``end`` in the units ``unit_ids``."""
    qs = _in_scope(CollaborationDeviation.objects.filter(occurred_on__gte=start, occurred_on__lte=end), unit_ids)
    now = timezone.now()
    figures = CollaborationFigures()
    per: dict[int, CounterpartFigures] = {}
    days: dict[int, list[int]] = {}
    rows = qs.values_list("counterpart_id", "counterpart__name", "direction", "state", "sent_on", "reply_on", "due_at")
    for cp_id, cp_name, direction, state, sent_on, reply_on, due_at in rows:
        figures.total += 1
        item = per.setdefault(cp_id, CounterpartFigures(name=cp_name))
        overdue = state in COLLABORATION_OPEN_STATES and due_at is not None and due_at < now
        if overdue:
            figures.overdue += 1
            item.overdue_replies += 1
        if direction == Direction.OUTGOING:
            figures.outgoing += 1
            item.outgoing += 1
            if reply_on is not None and sent_on is not None:
                item.replies_received += 1
                days.setdefault(cp_id, []).append((reply_on - sent_on).days)
        else:
            figures.incoming += 1
            item.incoming += 1
    for cp_id, item in per.items():
        item.median_reply_days = float(median(days[cp_id])) if days.get(cp_id) else None
    figures.per_counterpart = sorted(per.values(), key=lambda f: f.name)
    figures.per_agreement = list(
        qs.filter(contract__isnull=False)
        .values_list("contract__title")
        .annotate(n=Count("pk"))
        .order_by("-n", "contract__title")
    )
    figures.by_category = list(
        qs.values_list("category__name").annotate(n=Count("pk")).order_by("-n", "category__name")
    )
    return figures


def statistics_unit_ids(user) -> list[int]:
    """The units whose figures ``user`` sees: a board official's boards, a MAS's scope, a manager's units."""
    return list(units_visible_to(user, roles=STATISTICS_ROLES).values_list("pk", flat=True))


@dataclass
class UserStatistics:
    complaints: ComplaintFigures
    collaborations: CollaborationFigures
    start: date
    end: date


def for_user(*, user, year: int) -> UserStatistics:
    """The figures of one calendar year within what ``user`` may see."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    unit_ids = statistics_unit_ids(user)
    return UserStatistics(
        complaints=complaint_figures(unit_ids=unit_ids, start=start, end=end),
        collaborations=collaboration_figures(unit_ids=unit_ids, start=start, end=end),
        start=start,
        end=end,
    )
