"""Avvikelserapport: deviations of a period by category, unit, provider, operating form, risk and state.

Every figure is a database aggregation (``values().annotate(Count())``); the
only rows read one by one are the overdue investigations, at most
``MAX_LIST_ROWS`` of them. Provider and operating form are those of the dated
operating period on the day the event occurred (a re-procurement does not move
old deviations to the new provider).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents.models import Deviation, DeviationState
from incidents.risk import risk_band_ranges
from reports.builders.charts import bar_chart, line_chart
from reports.builders.common import (
    MAX_LIST_ROWS,
    Column,
    Figure,
    KeyFigure,
    Section,
    Summary,
    Table,
    change_in_words,
    period_bounds,
    previous_period,
    same_period_last_year,
)
from reports.builders.operations import Operations, operated_by_q, provider_operations, with_operation
from reports.choices import ScopeKind
from reports.scopes import ReportScope
from responsibility.choices import OperatingForm
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


def deviation_figures(*, scope: ReportScope, period_from: date, period_to: date, now: datetime) -> dict:
    """Compute every figure of the deviation report by aggregation; a plain dict of lists and numbers."""
    unit_ids = scope_unit_ids(scope)
    operations = provider_operations(scope.id) if scope.kind == ScopeKind.PROVIDER else None
    within = {"unit_ids": unit_ids, "operations": operations}
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
    for r in with_operation(qs).values("op_provider", "op_form").annotate(n=Count("id")).order_by():
        provider_counts[r["op_provider"]] = provider_counts.get(r["op_provider"], 0) + r["n"]
        by_form[r["op_form"]] = by_form.get(r["op_form"], 0) + r["n"]
    names = CareProvider.objects.in_bulk([pk for pk in provider_counts if pk is not None])
    by_provider = [
        {"name": names[pk].name if pk in names else "–", "n": n}
        for pk, n in sorted(provider_counts.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))
    ]
    by_provider.sort(key=lambda r: (-r["n"], r["name"]))

    prev_from, prev_to = previous_period(period_from, period_to)
    ly_from, ly_to = same_period_last_year(period_from, period_to)
    previous = deviations_in(scope=scope, period_from=prev_from, period_to=prev_to, **within).count()
    last_year_qs = deviations_in(scope=scope, period_from=ly_from, period_to=ly_to, **within)

    tz = timezone.get_current_timezone()
    monthly = {
        r["month"].date() if isinstance(r["month"], datetime) else r["month"]: r["n"]
        for r in qs.annotate(month=TruncMonth("occurred_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    monthly_last_year = {
        r["month"].date() if isinstance(r["month"], datetime) else r["month"]: r["n"]
        for r in last_year_qs.annotate(month=TruncMonth("occurred_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }

    last_year = sum(monthly_last_year.values())  # every row of last year's period falls in one of its months
    overdue = list(
        qs.filter(overdue_q)
        .order_by("due_at", "pk")
        .values("reference", "unit__name", "category__name", "state", "due_at", "risk_score")[:MAX_LIST_ROWS]
    )
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


def _months(period_from: date, period_to: date) -> list[date]:
    months, d = [], period_from.replace(day=1)
    while d <= period_to:
        months.append(d)
        d = d.replace(year=d.year + 1, month=1) if d.month == 12 else d.replace(month=d.month + 1)
    return months


def add_by_category(section: Section, *, figures: dict, key: str, empty_text: str) -> None:
    """Deviations by category, most frequent first: a bar chart (when there are any) and its table."""
    rows = [[r["category__name"], r["n"]] for r in figures["by_category"]]
    if rows:
        section.charts.append(
            bar_chart(
                title=_("Deviations by category"),
                alt=_(
                    "Bar chart of deviations by category, most frequent first; each bar is labelled with its number. "
                    "The figures are in the table below."
                ),
                labels=[r[0] for r in rows],
                values=[r[1] for r in rows],
                series_title=_("Deviations"),
            )
        )
    section.tables.append(
        Table(
            key=key,
            caption=_("Deviations by category"),
            columns=[Column(_("Category")), Column(_("Deviations"), numeric=True)],
            rows=rows,
            totals=[_("Total"), figures["total"]],
            empty_text=empty_text,
        )
    )


def unit_table(figures: dict, *, key: str, empty_text: str) -> Table:
    """Deviations per unit, most first, with how many were decided as Lex Maria."""
    return Table(
        key=key,
        caption=_("Deviations by unit"),
        columns=[
            Column(_("Unit")),
            Column(_("Deviations"), numeric=True),
            Column(_("Of which decided as Lex Maria"), numeric=True),
        ],
        rows=[[r["unit__name"], r["n"], r["serious"]] for r in figures["by_unit"]],
        totals=[_("Total"), figures["total"], lex_maria_total(figures)],
        empty_text=empty_text,
    )


def deviation_sections(*, figures: dict, period_from: date, period_to: date, now: datetime) -> list[Section]:
    """Turn the figures into the report's sections, tables and charts."""
    f = figures
    total = f["total"]
    sections: list[Section] = []

    prev, ly = f["previous"], f["last_year"]
    overview = Section(
        heading=_("Overview"),
        figures=[
            Figure(_("Deviations reported"), total),
            Figure(
                _("Previous period"),
                prev["total"],
                _("%(from)s – %(to)s") % {"from": prev["from"].isoformat(), "to": prev["to"].isoformat()},
            ),
            Figure(
                _("Same period last year"),
                ly["total"],
                _("%(from)s – %(to)s") % {"from": ly["from"].isoformat(), "to": ly["to"].isoformat()},
            ),
            Figure(_("Change against the previous period"), change_in_words(total, prev["total"])),
            Figure(_("Change against the same period last year"), change_in_words(total, ly["total"])),
            Figure(_("Overdue investigations and assessments"), f["overdue_total"]),
        ],
    )
    trend_rows = [
        [_("This period"), period_from, period_to, total],
        [_("Previous period"), prev["from"], prev["to"], prev["total"]],
        [_("Same period last year"), ly["from"], ly["to"], ly["total"]],
    ]
    overview.tables.append(
        Table(
            key="trend",
            caption=_("Deviations compared with earlier periods"),
            columns=[
                Column(_("Period")),
                Column(_("From"), nowrap=True),
                Column(_("To"), nowrap=True),
                Column(_("Deviations"), numeric=True),
            ],
            rows=trend_rows,
        )
    )
    months = _months(period_from, period_to)
    if len(months) > 1:
        current = [f["monthly"].get(m, 0) for m in months]
        before = [f["monthly_last_year"].get(_safe_year_back(m), 0) for m in months]
        labels = [m.strftime("%Y-%m") for m in months]
        overview.charts.append(
            line_chart(
                title=_("Deviations per month"),
                alt=_(
                    "Line chart of deviations per month, this period (solid line, filled dots) and the same months "
                    "last year (dashed line, open dots). The figures are in the table below."
                ),
                labels=labels,
                series=[
                    (_("This period (solid line, filled dots)"), current),
                    (_("Same period last year (dashed line, open dots)"), before),
                ],
            )
        )
        overview.tables.append(
            Table(
                key="monthly",
                caption=_("Deviations per month"),
                columns=[
                    Column(_("Month"), nowrap=True),
                    Column(_("This period"), numeric=True),
                    Column(_("Same month last year"), numeric=True),
                ],
                rows=[[label, c, b] for label, c, b in zip(labels, current, before, strict=True)],
            )
        )
    sections.append(overview)

    category = Section(heading=_("By category"), intro=_("Most frequent category first."))
    add_by_category(category, figures=f, key="category", empty_text=_("No deviations in the period."))
    sections.append(category)

    risk_rows = []
    for label, low, high in f["risk_levels"]:
        risk_rows.append([label, sum(n for score, n in f["by_score"].items() if low <= score <= high)])
    state_rows = [
        [str(label), f["by_state"].get(value, 0)]
        for value, label in DeviationState.choices
        if value not in NOT_REPORTED
    ]
    risk = Section(
        heading=_("By risk level and state"),
        intro=_(
            "Risk score = consequence × probability (1–16). Scores from %(threshold)s go to the MAS for assessment."
        )
        % {"threshold": f["mas_threshold"]},
    )
    risk.tables.append(
        Table(
            key="risk",
            caption=_("Deviations by risk level"),
            columns=[Column(_("Risk level")), Column(_("Deviations"), numeric=True)],
            rows=risk_rows,
            totals=[_("Total"), total],
        )
    )
    risk.tables.append(
        Table(
            key="state",
            caption=_("Deviations by state today"),
            columns=[Column(_("State")), Column(_("Deviations"), numeric=True)],
            rows=state_rows,
            totals=[_("Total"), total],
        )
    )
    sections.append(risk)

    org = Section(
        heading=_("By unit, care provider and operating form"),
        intro=_("Care provider and operating form as on the day the event occurred."),
    )
    form_rows = [[str(label), f["by_form"].get(value, 0)] for value, label in OperatingForm.choices]
    org.tables.append(
        Table(
            key="operating_form",
            caption=_("Deviations by operating form"),
            columns=[Column(_("Operating form")), Column(_("Deviations"), numeric=True)],
            rows=form_rows,
            totals=[_("Total"), total],
        )
    )
    org.tables.append(
        Table(
            key="provider",
            caption=_("Deviations by care provider"),
            columns=[Column(_("Care provider")), Column(_("Deviations"), numeric=True)],
            rows=[[r["name"], r["n"]] for r in f["by_provider"]],
            totals=[_("Total"), total],
            empty_text=_("No deviations in the period."),
        )
    )
    org.tables.append(unit_table(f, key="unit", empty_text=_("No deviations in the period.")))
    sections.append(org)

    overdue_rows = []
    for r in f["overdue"]:
        due_day = timezone.localtime(r["due_at"]).date()
        overdue_rows.append(
            [
                r["reference"],
                r["unit__name"],
                r["category__name"],
                str(DeviationState(r["state"]).label),
                due_day,
                (timezone.localtime(now).date() - due_day).days,
            ]
        )
    overdue = Section(
        heading=_("Overdue investigations"),
        intro=_(
            "Deviations of the period whose investigation or MAS assessment was not done by its deadline, "
            "as of the time the data were read."
        ),
    )
    note = ""
    if f["overdue_total"] > len(overdue_rows):
        note = _("The %(shown)s with the oldest deadlines are listed, of %(total)s.") % {
            "shown": len(overdue_rows),
            "total": f["overdue_total"],
        }
    overdue.tables.append(
        Table(
            key="overdue",
            caption=_("Overdue investigations and assessments"),
            columns=[
                Column(_("Reference"), nowrap=True),
                Column(_("Unit")),
                Column(_("Category")),
                Column(_("State")),
                Column(_("Deadline"), nowrap=True),
                Column(_("Days overdue"), numeric=True),
            ],
            rows=overdue_rows,
            empty_text=_("No overdue investigations."),
            note=note,
        )
    )
    sections.append(overdue)
    return sections


def _safe_year_back(d: date) -> date:
    """The same first-of-month a year earlier (months here always start on the 1st)."""
    return d.replace(year=d.year - 1)


def high_risk_total(figures: dict) -> int:
    """Deviations whose risk score reached the municipality's MAS threshold."""
    return sum(n for score, n in figures["by_score"].items() if score >= figures["mas_threshold"])


def lex_maria_total(figures: dict) -> int:
    """Deviations of the period decided as Lex Maria (the unit table's column, summed)."""
    return sum(r["serious"] for r in figures["by_unit"])


def deviation_summary(*, figures: dict, now: datetime) -> Summary:
    """The one-page summary: totals against both comparison periods, then what needs the board's attention."""
    f = figures
    total, prev, ly = f["total"], f["previous"], f["last_year"]
    span = _("%(from)s – %(to)s")
    high, lex_maria = high_risk_total(f), lex_maria_total(f)
    open_total = sum(f["by_state"].get(s, 0) for s in OPEN_INVESTIGATION_STATES)
    summary = Summary(
        figures=[
            KeyFigure(
                _("Deviations reported"),
                total,
                prev["total"],
                _("Previous period (%(span)s)") % {"span": span % {"from": prev["from"], "to": prev["to"]}},
            ),
            KeyFigure(
                _("Deviations reported"),
                total,
                ly["total"],
                _("Same period last year (%(span)s)") % {"span": span % {"from": ly["from"], "to": ly["to"]}},
            ),
            KeyFigure(
                _("High or very high risk"),
                high,
                note=_("score %(threshold)s or more") % {"threshold": f["mas_threshold"]},
            ),
            KeyFigure(_("Decided as Lex Maria"), lex_maria),
            KeyFigure(_("Investigation or assessment still open"), open_total),
            KeyFigure(_("Overdue investigations and assessments"), f["overdue_total"]),
        ]
    )
    lead = _("%(total)s deviations were reported in the period.") % {"total": total}
    trend = change_in_words(total, prev["total"])
    if trend:
        lead += " " + _("Against the previous period: %(trend)s.") % {"trend": trend}
    if f["by_category"]:
        top = f["by_category"][0]
        lead += " " + _("The most frequent category was %(category)s (%(n)s of %(total)s).") % {
            "category": top["category__name"],
            "n": top["n"],
            "total": total,
        }
    summary.lead = lead
    if f["overdue_total"]:
        oldest = timezone.localtime(f["overdue"][0]["due_at"]).date() if f["overdue"] else None
        summary.attention.append(
            ngettext(
                "%(n)s investigation or MAS assessment is overdue (oldest deadline %(date)s): the board should ask "
                "the units concerned when it will be done.",
                "%(n)s investigations or MAS assessments are overdue (oldest deadline %(date)s): the board should ask "
                "the units concerned when they will be done.",
                f["overdue_total"],
            )
            % {"n": f["overdue_total"], "date": oldest or "–"}
        )
    if lex_maria:
        summary.attention.append(
            ngettext(
                "%(n)s deviation was decided as a serious care injury (Lex Maria) and reported or to be reported to "
                "IVO; see the Lex Maria summary.",
                "%(n)s deviations were decided as serious care injuries (Lex Maria) and reported or to be reported to "
                "IVO; see the Lex Maria summary.",
                lex_maria,
            )
            % {"n": lex_maria}
        )
    if high:
        summary.attention.append(
            ngettext(
                "%(n)s deviation had a high or very high risk score and went to the MAS for assessment.",
                "%(n)s deviations had a high or very high risk score and went to the MAS for assessment.",
                high,
            )
            % {"n": high}
        )
    if prev["total"] >= 20 and total >= prev["total"] * 1.5:
        summary.attention.append(
            _(
                "The number of deviations rose markedly against the previous period: the "
                "units should say whether more events occurred or more were reported."
            )
        )
    return summary
