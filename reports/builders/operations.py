"""Who operated a unit on the day a deviation occurred: the dated operating period, else the unit's provider.

One rule, two forms: :func:`with_operation` annotates each deviation with it (for grouping by provider and
operating form), :func:`operated_by_q` selects a provider's deviations by it from literal unit ids and time
ranges worked out beforehand (:func:`provider_operations`, :func:`operated_days`); :func:`operated_form` gives
a provider's deviations their operating form the same way.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import BigIntegerField, Case, CharField, DateField, OuterRef, Q, QuerySet, Subquery, Value, When
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


def operated_runs(
    *,
    periods: list[Period],
    fallback: int | None,
    fallback_form: str = "",
    period_from: date,
    period_to: date,
) -> list[tuple[date, date, int | None, str]]:
    """Who operated a unit, and in which form, on each day of [``period_from``, ``period_to``], as runs of
    (first, last, provider id, operating form).

    :func:`with_operation`'s rule, day by day: the operating period in force that day with the latest start
    (``periods``: start, end or None, provider, form), else the unit's current provider and form (the fallbacks).
    """
    edges = {period_from, period_to + timedelta(days=1)}
    for period in periods:
        start, end = period[0], period[1]
        edges.update(d for d in (start, end + timedelta(days=1) if end else None) if d and period_from < d <= period_to)
    runs: list[tuple[date, date, int | None, str]] = []
    ordered = sorted(edges)
    for first, after in zip(ordered, ordered[1:], strict=False):
        active = [p for p in periods if p[0] <= first and (p[1] is None or p[1] >= first)]
        latest = max(active, key=lambda p: p[0]) if active else None
        operator = (latest[2], latest[3]) if latest else (fallback, fallback_form)
        last = after - timedelta(days=1)
        if runs and runs[-1][2:] == operator and runs[-1][1] + timedelta(days=1) == first:
            runs[-1] = (runs[-1][0], last, *operator)
        else:
            runs.append((first, last, *operator))
    return runs


def operated_days(
    *, periods: list[Period], fallback: int | None, period_from: date, period_to: date
) -> list[tuple[date, date, int | None]]:
    """Who operated a unit on each day of [``period_from``, ``period_to``], as (first, last, provider id) runs."""
    runs: list[tuple[date, date, int | None]] = []
    for first, last, provider, _form in operated_runs(
        periods=periods, fallback=fallback, period_from=period_from, period_to=period_to
    ):
        if runs and runs[-1][2] == provider and runs[-1][1] + timedelta(days=1) == first:
            runs[-1] = (runs[-1][0], last, provider)
        else:
            runs.append((first, last, provider))
    return runs


# Per unit: its current provider (the fallback), its operating periods (start, end or None, provider, form) and
# its current operating form (the fallback form).
Period = tuple[date, date | None, int, str]
Operations = dict[int, tuple[int | None, list[Period], str]]


def provider_operations(provider_id: int) -> Operations:
    """The units ``provider_id`` operates or ever operated, with their operating periods (two small queries)."""
    units = {
        pk: (fallback, form)
        for pk, fallback, form in Unit.objects.filter(
            Q(provider_id=provider_id) | Q(operating_periods__provider_id=provider_id)
        )
        .distinct()
        .values_list("pk", "provider_id", "operating_form")
    }
    operations: Operations = {pk: (fallback, [], form) for pk, (fallback, form) in units.items()}
    for unit_id, start, end, provider, form in UnitOperatingPeriod.objects.filter(unit_id__in=list(units)).values_list(
        "unit_id", "valid_from", "valid_to", "provider_id", "operating_form"
    ):
        operations[unit_id][1].append((start, end, provider, form))
    return operations


def operated_by_q(*, provider_id: int, operations: Operations, period_from: date, period_to: date) -> Q:
    """Deviations of the period that occurred on a day ``provider_id`` operated their unit (the provider scope).

    The dated rule of :func:`with_operation`, worked out beforehand from :func:`provider_operations` and
    written as literal unit ids (operated the whole period) and (unit, time range) pairs: PostgreSQL reads
    the units' deviations by index instead of evaluating a per-row subselect over every deviation of the units.
    """
    whole: list[int] = []  # operated for the whole period: the period's own bounds apply
    q = Q(pk__in=[])
    for unit_id, (fallback, periods, _form) in operations.items():
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


def operated_form(*, provider_id: int, operations: Operations, period_from: date, period_to: date) -> Case | Value:
    """The operating form of each deviation of a provider scope on its event day, as a CASE over literal unit ids
    and time ranges (:func:`with_operation`'s rule from :func:`provider_operations`, no per-row subselect).

    Only for rows selected by :func:`operated_by_q` of the same provider and period: each of them occurred in
    one of the runs the provider operated.
    """
    whole: dict[str, list[int]] = defaultdict(list)  # operated in one form for the whole period
    parts: list[When] = []
    for unit_id, (fallback, periods, fallback_form) in operations.items():
        for first, last, provider, form in operated_runs(
            periods=periods,
            fallback=fallback,
            fallback_form=fallback_form,
            period_from=period_from,
            period_to=period_to,
        ):
            if provider != provider_id:
                continue
            if (first, last) == (period_from, period_to):
                whole[form].append(unit_id)
            else:
                start, end = period_bounds(first, last)
                parts.append(When(unit_id=unit_id, occurred_at__gte=start, occurred_at__lt=end, then=Value(form)))
    whens = [When(unit_id__in=sorted(ids), then=Value(form)) for form, ids in sorted(whole.items())] + parts
    if not whens:
        return Value("", output_field=CharField())
    return Case(*whens, default=Value(""), output_field=CharField())
