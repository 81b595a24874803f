"""Who operated a unit on the day a deviation occurred: the dated operating period, else the unit's provider.

One rule, two forms: :func:`with_operation` annotates each deviation with it (for grouping by provider and
operating form), :func:`operated_by_q` selects a provider's deviations by it from literal unit ids and time
ranges worked out beforehand (:func:`provider_operations`, :func:`operated_days`).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import BigIntegerField, CharField, DateField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from incidents.models import Deviation
from reports.builders.common import period_bounds
from responsibility.models import Unit, UnitOperatingPeriod


def _operation(field: str) -> Subquery:
    """The unit's dated operating period on the day the deviation occurred: its ``field``."""
    periods = (
        UnitOperatingPeriod.objects.active_on(OuterRef("occurred_day"))
        .filter(unit_id=OuterRef("unit_id"))
        .order_by("-valid_from")
    )
    return Subquery(periods.values(field)[:1])


def operated_days(
    *, periods: list[tuple[date, date | None, int]], fallback: int | None, period_from: date, period_to: date
) -> list[tuple[date, date, int | None]]:
    """Who operated a unit on each day of [``period_from``, ``period_to``], as (first, last, provider id) runs.

    :func:`with_operation`'s rule, day by day: the operating period in force that day with the latest start
    (``periods``: start, end or None, provider), else the unit's current provider (``fallback``).
    """
    edges = {period_from, period_to + timedelta(days=1)}
    for start, end, _provider in periods:
        edges.update(d for d in (start, end + timedelta(days=1) if end else None) if d and period_from < d <= period_to)
    runs: list[tuple[date, date, int | None]] = []
    ordered = sorted(edges)
    for first, after in zip(ordered, ordered[1:], strict=False):
        active = [p for p in periods if p[0] <= first and (p[1] is None or p[1] >= first)]
        provider = max(active, key=lambda p: p[0])[2] if active else fallback
        last = after - timedelta(days=1)
        if runs and runs[-1][2] == provider and runs[-1][1] + timedelta(days=1) == first:
            runs[-1] = (runs[-1][0], last, provider)
        else:
            runs.append((first, last, provider))
    return runs


# Per unit: its current provider (the fallback) and its operating periods (start, end or None, provider).
Operations = dict[int, tuple[int | None, list[tuple[date, date | None, int]]]]


def provider_operations(provider_id: int) -> Operations:
    """The units ``provider_id`` operates or ever operated, with their operating periods (two small queries)."""
    units = dict(
        Unit.objects.filter(Q(provider_id=provider_id) | Q(operating_periods__provider_id=provider_id))
        .distinct()
        .values_list("pk", "provider_id")
    )
    operations: Operations = {pk: (fallback, []) for pk, fallback in units.items()}
    for unit_id, start, end, provider in UnitOperatingPeriod.objects.filter(unit_id__in=list(units)).values_list(
        "unit_id", "valid_from", "valid_to", "provider_id"
    ):
        operations[unit_id][1].append((start, end, provider))
    return operations


def operated_by_q(*, provider_id: int, operations: Operations, period_from: date, period_to: date) -> Q:
    """Deviations of the period that occurred on a day ``provider_id`` operated their unit (the provider scope).

    The dated rule of :func:`with_operation`, worked out beforehand from :func:`provider_operations` and
    written as literal unit ids (operated the whole period) and (unit, time range) pairs: PostgreSQL reads
    the units' deviations by index instead of evaluating a per-row subselect over every deviation of the units.
    """
    whole: list[int] = []  # operated for the whole period: the period's own bounds apply
    q = Q(pk__in=[])
    for unit_id, (fallback, periods) in operations.items():
        runs = operated_days(periods=periods, fallback=fallback, period_from=period_from, period_to=period_to)
        for first, last, provider in runs:
            if provider != provider_id:
                continue
            if (first, last) == (period_from, period_to):
                whole.append(unit_id)
            else:
                start, end = period_bounds(first, last)
                q |= Q(unit_id=unit_id, occurred_at__gte=start, occurred_at__lt=end)
    return Q(unit_id__in=sorted(whole)) | q


def with_operation(qs: QuerySet[Deviation]) -> QuerySet[Deviation]:
    if "op_provider" in qs.query.annotations:
        return qs
    return qs.annotate(
        occurred_day=TruncDate("occurred_at", output_field=DateField()),
        op_provider=Coalesce(_operation("provider_id"), "unit__provider_id", output_field=BigIntegerField()),
        op_form=Coalesce(_operation("operating_form"), "unit__operating_form", output_field=CharField()),
    )
