"""Start-page items of the board reports: ready reports and, for a board official, deviations month by month."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reports.choices import ReportState, ScopeKind
from reports.scopes import REPORT_ROLES, scopes_for_user
from reports.selectors import generated_reports_for
from responsibility.choices import Role

MAX_CHARTS = 3  # a region's official sees the first boards; the reports cover the rest


def _month_counts(scope, *, year: int) -> dict[tuple[int, int], int]:
    """Reported deviations of ``scope`` per (year, month) for last year and this year: one query."""
    from reports.builders.deviations import deviations_in

    qs = deviations_in(scope=scope, period_from=date(year - 1, 1, 1), period_to=date(year, 12, 31))
    tz = timezone.get_current_timezone()
    counts = {}
    for row in (
        qs.annotate(month=TruncMonth("occurred_at", tzinfo=tz)).values("month").annotate(n=Count("id")).order_by()
    ):
        month = row["month"]
        month = month.date() if isinstance(month, datetime) else month
        counts[(month.year, month.month)] = row["n"]
    return counts


def deviations_per_month_chart(scope, *, today: date):
    """This year's reported deviations per month against last year's, as a chart with its table."""
    from core.start import StartChart
    from reports.builders.charts import column_chart

    year = today.year
    counts = _month_counts(scope, year=year)
    months = [formats.date_format(date(year, m, 1), "M") for m in range(1, 13)]
    this_year = [counts.get((year, m), 0) if m <= today.month else None for m in range(1, 13)]
    last_year = [counts.get((year - 1, m), 0) for m in range(1, 13)]
    title = _("Deviations per month in %(scope)s: %(year)s against %(last)s") % {
        "scope": scope.label,
        "year": year,
        "last": year - 1,
    }
    alt = _(
        "Reported deviations per month, %(year)s: %(now)s in all so far; %(last)s: %(before)s in all. "
        "The table below has the figures."
    ) % {"year": year, "now": sum(v or 0 for v in this_year), "last": year - 1, "before": sum(last_year)}
    chart = column_chart(
        title=title, alt=alt, labels=months, series=[(str(year - 1), last_year), (str(year), this_year)]
    )
    rows = [[months[i], last_year[i], "–" if this_year[i] is None else this_year[i]] for i in range(12)]
    return StartChart(
        title=title, alt=alt, svg_uri=chart.data_uri, headers=[_("Month"), str(year - 1), str(year)], rows=rows
    )


def sections_for(*, user, role: str) -> list:
    from core.start import StartItem

    if role not in (*REPORT_ROLES, "ADMIN"):
        return []
    if role == "ADMIN":
        return [StartItem(_("Reports for the board"), reverse("reports:report_list"))]
    ready = generated_reports_for(user=user).filter(requested_by=user, state=ReportState.DONE).count()
    items = [StartItem(_("Reports for the board"), reverse("reports:report_list"), count=ready or None)]
    if role == Role.BOARD_OFFICIAL:
        today = timezone.localdate()
        boards = [scope for scope in scopes_for_user(user) if scope.kind == ScopeKind.BOARD]
        for scope in boards[:MAX_CHARTS]:
            if scope.kind == ScopeKind.BOARD:
                chart = deviations_per_month_chart(scope, today=today)
                items.append(StartItem(chart.title, reverse("reports:report_list"), chart=chart))
    return items
