"""Lex Maria-sammanställning: every case decided in the period, its steps and dates, the IVO outcome.

No patient field is ever selected: the case list reads references, units,
dates and the IVO outcome (scrubbed of anything shaped like a personnummer).
"""

from __future__ import annotations

from datetime import date, datetime
from statistics import median

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents.lexmaria.models import LexMariaCase, LexMariaState
from reports.builders.charts import add_counts
from reports.builders.common import (
    MAX_LIST_ROWS,
    Column,
    Figure,
    KeyFigure,
    Section,
    Summary,
    Table,
    period_bounds,
    previous_period,
    redact,
)
from reports.choices import ScopeKind
from reports.scopes import ReportScope
from responsibility.choices import LexMariaRoute
from responsibility.models import Unit

CASE_FIELDS = (
    "reference",
    "deviation__reference",
    "deviation__unit__name",
    "board__name",
    "route",
    "state",
    "deviation__occurred_at",
    "decided_at",
    "patient_informed_at",
    "forwarded_by_board_mas_at",
    "board_informed_at",
    "ivo_sent_at",
    "ivo_case_number",
    "ivo_decision_at",
    "ivo_outcome",
)


def scope_units(scope: ReportScope) -> list[int] | None:
    """The scope's units (the current register) as a literal list; None for a whole municipality."""
    if scope.kind == ScopeKind.MUNICIPALITY:
        return None
    return list(Unit.objects.filter(scope.unit_q()).values_list("pk", flat=True))


def cases_in(
    *, scope: ReportScope, period_from: date, period_to: date, unit_ids: list[int] | None = None
) -> QuerySet[LexMariaCase]:
    """Lex Maria cases decided in the period whose deviation's unit is in the scope.

    A case is decided after its event was reported, and an event is never reported before it occurred, so the
    deviations read are bounded by the period's end too: the scope's units are read by (unit, occurred_at)
    instead of every deviation they ever had. ``unit_ids``: :func:`scope_units` of ``scope``, when read.
    """
    start, end = period_bounds(period_from, period_to)
    qs = LexMariaCase.objects.filter(
        deviation__municipality_id=scope.municipality_id,
        deviation__occurred_at__lt=end,
        decided_at__gte=start,
        decided_at__lt=end,
    )
    if scope.kind != ScopeKind.MUNICIPALITY:
        # A literal list: no join through the unit and its board.
        qs = qs.filter(deviation__unit_id__in=scope_units(scope) if unit_ids is None else unit_ids)
    return qs


def lex_maria_figures(
    *, scope: ReportScope, period_from: date, period_to: date, now: datetime, unit_ids: list[int] | None = None
) -> dict:
    """The counts by state and route (aggregated) and the case list with days from event to IVO.

    The period's counts and the previous period's total come from one grouped pass over both periods.
    """
    if unit_ids is None:
        unit_ids = scope_units(scope)
    qs = cases_in(scope=scope, period_from=period_from, period_to=period_to, unit_ids=unit_ids)
    prev_from, prev_to = previous_period(period_from, period_to)  # ends the day before period_from
    start, _end = period_bounds(period_from, period_to)
    in_period = Q(decided_at__gte=start)
    # A case of the previous period was decided in it, so its event occurred before its end too.
    before = Q(decided_at__lt=start, deviation__occurred_at__lt=start)
    total = reported = previous = 0
    by_state: dict[str, int] = {}
    by_route: dict[str, int] = {}
    for r in (
        cases_in(scope=scope, period_from=prev_from, period_to=period_to, unit_ids=unit_ids)
        .values("state", "route")
        .annotate(
            n=Count("id", filter=in_period),
            sent=Count("id", filter=in_period & Q(ivo_sent_at__isnull=False)),
            before=Count("id", filter=before),
        )
        .order_by()
    ):
        previous += r["before"]
        if not r["n"]:
            continue
        total += r["n"]
        reported += r["sent"]
        by_state[r["state"]] = by_state.get(r["state"], 0) + r["n"]
        by_route[r["route"]] = by_route.get(r["route"], 0) + r["n"]
    cases = []
    for row in qs.order_by("decided_at", "pk").values(*CASE_FIELDS)[:MAX_LIST_ROWS]:
        event_day = timezone.localtime(row["deviation__occurred_at"]).date()
        row["event_day"] = event_day
        row["decided_day"] = timezone.localtime(row["decided_at"]).date()
        row["days_to_ivo"] = (row["ivo_sent_at"] - event_day).days if row["ivo_sent_at"] else None
        row["ivo_outcome"] = redact(row["ivo_outcome"])
        cases.append(row)
    days = [c["days_to_ivo"] for c in cases if c["days_to_ivo"] is not None]
    return {
        "previous": {"from": prev_from, "to": prev_to, "total": previous},
        "total": total,
        "reported": reported,
        "by_state": by_state,
        "by_route": by_route,
        "cases": cases,
        "median_days_to_ivo": median(days) if days else None,
        "max_days_to_ivo": max(days) if days else None,
    }


# Steps before the report to IVO: the case still needs someone's action before IVO hears of it.
BEFORE_IVO = (
    LexMariaState.DECIDED,
    LexMariaState.PATIENT_INFORMED,
    LexMariaState.ANALYSED,
    LexMariaState.BOARD_INFORMED,
)


def lex_maria_summary(*, figures: dict) -> Summary:
    f = figures
    prev = f["previous"]
    not_reported = sum(f["by_state"].get(s, 0) for s in BEFORE_IVO)
    awaiting = f["by_state"].get(LexMariaState.REPORTED, 0)
    summary = Summary(
        figures=[
            KeyFigure(
                _("Lex Maria cases decided"),
                f["total"],
                prev["total"],
                _("Previous period (%(from)s – %(to)s)") % {"from": prev["from"], "to": prev["to"]},
            ),
            KeyFigure(_("Reported to IVO"), f["reported"]),
            KeyFigure(_("Not yet reported to IVO"), not_reported),
            KeyFigure(_("Awaiting IVO's decision"), awaiting),
            KeyFigure(
                _("Median days from event to IVO report"),
                f["median_days_to_ivo"] if f["median_days_to_ivo"] is not None else "–",
            ),
        ]
    )
    summary.lead = ngettext(
        "%(n)s event was decided as a serious care injury or a risk of one (Lex Maria, PSL 3 kap. 5 §) in the period.",
        "%(n)s events were decided as serious care injuries or risks of one (Lex Maria, PSL 3 kap. 5 §) in the period.",
        f["total"],
    ) % {"n": f["total"]}
    if not_reported:
        summary.attention.append(
            ngettext(
                "%(n)s case has not yet been reported to IVO: the report is due as soon as possible after the decision.",
                "%(n)s cases have not yet been reported to IVO: each report is due as soon as possible after the "
                "decision.",
                not_reported,
            )
            % {"n": not_reported}
        )
    if awaiting:
        summary.attention.append(
            ngettext("%(n)s case awaits IVO's decision.", "%(n)s cases await IVO's decision.", awaiting)
            % {"n": awaiting}
        )
    if f["max_days_to_ivo"] is not None and f["max_days_to_ivo"] > 60:
        summary.attention.append(
            _("The longest time from event to IVO report was %(days)s days: the board should ask why.")
            % {"days": f["max_days_to_ivo"]}
        )
    return summary


def lex_maria_sections(*, figures: dict) -> list[Section]:
    f = figures
    summary = Section(
        heading=_("Cases by step and route"),
        figures=[
            Figure(_("Lex Maria cases decided"), f["total"]),
            Figure(_("Reported to IVO"), f["reported"]),
            Figure(
                _("Median days from event to IVO report"),
                f["median_days_to_ivo"] if f["median_days_to_ivo"] is not None else "–",
            ),
            Figure(
                _("Longest time from event to IVO report (days)"),
                f["max_days_to_ivo"] if f["max_days_to_ivo"] is not None else "–",
            ),
        ],
    )
    state_rows = [[str(label), f["by_state"].get(value, 0)] for value, label in LexMariaState.choices]
    route_rows = [[str(label), f["by_route"].get(value, 0)] for value, label in LexMariaRoute.choices]
    add_counts(
        summary,
        key="lex_maria_state",
        title=_("Lex Maria cases by step reached"),
        alt=_(
            "Bar chart of Lex Maria cases by the step each has reached, in the order of the steps; each bar "
            "is labelled with its number. The figures are in the table below."
        ),
        label_heading=_("Step"),
        count_heading=_("Cases"),
        rows=state_rows,
        total=f["total"],
    )
    add_counts(
        summary,
        key="lex_maria_route",
        title=_("Lex Maria cases by route"),
        alt=_(
            "Bar chart of Lex Maria cases by route (who reports to IVO and who is informed); each bar is "
            "labelled with its number. The figures are in the table below."
        ),
        label_heading=_("Route"),
        count_heading=_("Cases"),
        rows=route_rows,
        total=f["total"],
    )
    steps = [
        [
            c["reference"],
            c["deviation__unit__name"],
            c["event_day"],
            c["decided_day"],
            c["patient_informed_at"],
            c["board_informed_at"],
            c["ivo_sent_at"],
            c["days_to_ivo"],
            str(LexMariaState(c["state"]).label),
        ]
        for c in f["cases"]
    ]
    outcomes = [
        [c["reference"], c["board__name"], c["ivo_case_number"], c["ivo_decision_at"], c["ivo_outcome"]]
        for c in f["cases"]
    ]
    note = ""
    if f["total"] > len(steps):
        note = _("The first %(shown)s of %(total)s cases are listed.") % {"shown": len(steps), "total": f["total"]}
    cases = Section(
        heading=_("Cases, steps and dates"),
        intro=_(
            "Each case decided in the period, with the date of each step. Days to IVO are counted from the day "
            "the event occurred to the day the report was sent."
        ),
    )
    cases.tables.append(
        Table(
            key="lex_maria_steps",
            caption=_("Lex Maria cases: steps and dates"),
            columns=[
                Column(_("Case"), nowrap=True),
                Column(_("Unit")),
                Column(_("Event"), nowrap=True),
                Column(_("Decided"), nowrap=True),
                Column(_("Patient informed"), nowrap=True),
                Column(_("Board informed"), nowrap=True),
                Column(_("Sent to IVO"), nowrap=True),
                Column(_("Days to IVO"), numeric=True),
                Column(_("Step reached")),
            ],
            rows=steps,
            empty_text=_("No Lex Maria cases were decided in the period."),
            note=note,
        )
    )
    cases.tables.append(
        Table(
            key="lex_maria_ivo",
            caption=_("IVO case numbers and outcomes"),
            columns=[
                Column(_("Case"), nowrap=True),
                Column(_("Responsible board")),
                Column(_("IVO case number"), nowrap=True),
                Column(_("Date of IVO's decision"), nowrap=True),
                Column(_("IVO's decision"), wide=True),
            ],
            rows=outcomes,
            empty_text=_("No Lex Maria cases were decided in the period."),
        )
    )
    return [summary, cases]
