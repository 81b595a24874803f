"""Avvikelserapport: deviations of a period by category, unit, provider, operating form, risk and state.

Every figure is a database aggregation (``values().annotate(Count())``); the
only rows read one by one are the overdue investigations, at most
``MAX_LIST_ROWS`` of them. Provider and operating form are those of the dated
operating period on the day the event occurred (a re-procurement does not move
old deviations to the new provider).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Deviation, DeviationState
from incidents.risk import risk_band_ranges
from reports.builders.common import (
    MAX_LIST_ROWS,
    period_bounds,
    previous_period,
    same_period_last_year,
)
from reports.builders.operations import (
    Operations,
    operated_by_q,
    operated_form,
    provider_operations,
    with_operation,
)
from reports.choices import ScopeKind
from reports.scopes import ReportScope
from responsibility.models import CareProvider, Municipality, Unit

# States in which an investigation or assessment is still due.
OPEN_INVESTIGATION_STATES = (DeviationState.REGISTERED, DeviationState.INVESTIGATING, DeviationState.AWAITING_MAS)
# Deviations that were never submitted are not reports.
NOT_REPORTED = (DeviationState.DRAFT,)


def scope_unit_ids(scope: ReportScope) -> list[int] | None:
    """The ids of a board's or region's units (a literal list lets PostgreSQL use the unit indexes); else None."""
    if scope.kind in (ScopeKind.MUNICIPALITY, ScopeKind.PROVIDER):
        return None
    return list(Unit.objects.filter(scope.unit_q()).values_list("pk", flat=True))


def deviations_in(
    *,
    scope: ReportScope,
    period_from: date,
    period_to: date,
    unit_ids: list[int] | None = None,
    operations: Operations | None = None,
) -> QuerySet[Deviation]:
    """Reported deviations that occurred in the period in the scope (provider as operated on that day).

    ``unit_ids`` is :func:`scope_unit_ids` of ``scope``, ``operations`` :func:`provider_operations` of a
    provider scope, when the caller already has them.
    """
    start, end = period_bounds(period_from, period_to)
    qs = Deviation.objects.filter(municipality_id=scope.municipality_id, occurred_at__gte=start, occurred_at__lt=end)
    qs = qs.exclude(state__in=NOT_REPORTED)
    if scope.kind == ScopeKind.PROVIDER:
        operations = provider_operations(scope.id) if operations is None else operations
        qs = qs.filter(
            operated_by_q(provider_id=scope.id, operations=operations, period_from=period_from, period_to=period_to)
        )
    elif scope.kind != ScopeKind.MUNICIPALITY:
        qs = qs.filter(unit_id__in=scope_unit_ids(scope) if unit_ids is None else unit_ids)
    return qs


def risk_levels(municipality: Municipality) -> list[tuple[str, int, int]]:
    """The risk bands (incidents/risk.py) with their score ranges, for the municipality's MAS threshold."""
    return [
        (_("%(band)s (%(low)s–%(high)s)") % {"band": band.label, "low": low, "high": high}, low, high)
        for band, low, high in risk_band_ranges(municipality.mas_risk_threshold)
        if low <= high
    ]


def _monthly(rows) -> tuple[dict[date, int], dict[date, int]]:
    """Split rows of (month, current, n) into this period's and last year's counts per month."""
    current: dict[date, int] = {}
    last_year: dict[date, int] = {}
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], datetime) else r["month"]
        target = current if r["current"] else last_year
        target[month] = target.get(month, 0) + r["n"]
    return current, last_year


def deviation_figures(
    *,
    scope: ReportScope,
    period_from: date,
    period_to: date,
    now: datetime,
    operations: Operations | None = None,
    municipality: Municipality | None = None,
) -> dict:
    """Compute every figure of the deviation report by aggregation; a plain dict of lists and numbers.

    ``operations`` (:func:`provider_operations` of a provider scope) and ``municipality`` (the scope's) when the
    caller already read them.
    """
    unit_ids = scope_unit_ids(scope)
    if scope.kind == ScopeKind.PROVIDER and operations is None:
        operations = provider_operations(scope.id)
    within = {"unit_ids": unit_ids, "operations": operations if scope.kind == ScopeKind.PROVIDER else None}
    qs = deviations_in(scope=scope, period_from=period_from, period_to=period_to, **within)
    # One grouped pass for the total, risk score, state, kind and overdue count.
    by_score: dict[int, int] = {}
    by_state: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    total = overdue_total = 0
    overdue_q = Q(state__in=OPEN_INVESTIGATION_STATES, due_at__lt=now)
    for r in (
        qs.values("risk_score", "state", "event_kind")
        .annotate(n=Count("id"), late=Count("id", filter=overdue_q))
        .order_by()
    ):
        total += r["n"]
        overdue_total += r["late"]
        by_score[r["risk_score"]] = by_score.get(r["risk_score"], 0) + r["n"]
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
        by_kind[r["event_kind"]] = by_kind.get(r["event_kind"], 0) + r["n"]
    by_category = list(qs.values("category__name").annotate(n=Count("id")).order_by("-n", "category__name"))
    by_unit = list(
        qs.values("unit__name", "unit__code")
        .annotate(n=Count("id"), serious=Count("id", filter=Q(lex_maria_decision=True)))
        .order_by("-n", "unit__name")
    )
    # Provider and operating form as operated on the event day, in one grouped pass.
    provider_counts: dict[int | None, int] = {}
    by_form: dict[str, int] = {}
    if scope.kind == ScopeKind.PROVIDER:
        # Every deviation of a provider scope occurred on a day the provider operated its unit; the form of each
        # day is known from the operations already read, so no per-row subselect.
        provider_counts = {scope.id: total} if total else {}
        form = operated_form(provider_id=scope.id, operations=operations, period_from=period_from, period_to=period_to)
        for r in qs.annotate(op_form=form).values("op_form").annotate(n=Count("id")).order_by():
            by_form[r["op_form"]] = by_form.get(r["op_form"], 0) + r["n"]
    else:
        for r in with_operation(qs).values("op_provider", "op_form").annotate(n=Count("id")).order_by():
            provider_counts[r["op_provider"]] = provider_counts.get(r["op_provider"], 0) + r["n"]
            by_form[r["op_form"]] = by_form.get(r["op_form"], 0) + r["n"]
    names = CareProvider.objects.in_bulk([pk for pk in provider_counts if pk is not None]) if provider_counts else {}
    by_provider = [
        {"name": names[pk].name if pk in names else "–", "n": n}
        for pk, n in sorted(provider_counts.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))
    ]
    by_provider.sort(key=lambda r: (-r["n"], r["name"]))

    prev_from, prev_to = previous_period(period_from, period_to)
    ly_from, ly_to = same_period_last_year(period_from, period_to)
    last_year_qs = deviations_in(scope=scope, period_from=ly_from, period_to=ly_to, **within)

    # This period's and last year's months in one grouped pass (a month may hold days of both); a period
    # longer than a year overlaps last year's, and each is then counted on its own.
    tz = timezone.get_current_timezone()
    start, _end = period_bounds(period_from, period_to)

    def months(rows_qs, current):
        return (
            rows_qs.annotate(month=TruncMonth("occurred_at", tzinfo=tz), current=current)
            .values("month", "current")
            .annotate(n=Count("id"))
            .order_by()
        )

    if ly_to < period_from:
        in_period = Case(When(occurred_at__gte=start, then=Value(True)), default=Value(False))
        monthly, monthly_last_year = _monthly(months(qs | last_year_qs, in_period))
    else:
        monthly = _monthly(months(qs, Value(True)))[0]
        monthly_last_year = _monthly(months(last_year_qs, Value(False)))[1]
    last_year = sum(monthly_last_year.values())  # every row of last year's period falls in one of its months
    if (prev_from, prev_to) == (ly_from, ly_to):  # a calendar year: the previous period is last year's
        previous = last_year
    else:
        previous = deviations_in(scope=scope, period_from=prev_from, period_to=prev_to, **within).count()
    overdue = list(
        qs.filter(overdue_q)
        .order_by("due_at", "pk")
        .values("reference", "unit__name", "category__name", "state", "due_at", "risk_score")[:MAX_LIST_ROWS]
    )
    if municipality is None or municipality.pk != scope.municipality_id:
        municipality = Municipality.objects.get(pk=scope.municipality_id)
    return {
        "total": total,
        "by_category": by_category,
        "by_unit": by_unit,
        "by_provider": by_provider,
        "by_form": by_form,
        "by_score": by_score,
        "by_state": by_state,
        "by_kind": by_kind,
        "previous": {"from": prev_from, "to": prev_to, "total": previous},
        "last_year": {"from": ly_from, "to": ly_to, "total": last_year},
        "monthly": monthly,
        "monthly_last_year": monthly_last_year,
        "overdue_total": overdue_total,
        "overdue": overdue,
        "risk_levels": risk_levels(municipality),
        "mas_threshold": municipality.mas_risk_threshold,
    }
