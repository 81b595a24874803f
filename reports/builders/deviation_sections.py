"""How the deviation figures are shown: the Avvikelserapport's sections, tables, charts and summary (SPEC §7)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents.models import DeviationState
from reports.builders.charts import add_counts, line_chart
from reports.builders.common import (
    Column,
    Figure,
    KeyFigure,
    Section,
    Summary,
    Table,
    change_in_words,
)
from reports.builders.deviations import NOT_REPORTED, OPEN_INVESTIGATION_STATES
from responsibility.choices import OperatingForm


def _months(period_from: date, period_to: date) -> list[date]:
    months, d = [], period_from.replace(day=1)
    while d <= period_to:
        months.append(d)
        d = d.replace(year=d.year + 1, month=1) if d.month == 12 else d.replace(month=d.month + 1)
    return months


def add_by_category(section: Section, *, figures: dict, key: str, empty_text: str) -> None:
    """Deviations by category, most frequent first: a bar chart (when there are any) and its table."""
    add_counts(
        section,
        key=key,
        title=_("Deviations by category"),
        alt=_(
            "Bar chart of deviations by category, most frequent first; each bar is labelled with its number. "
            "The figures are in the table below."
        ),
        label_heading=_("Category"),
        count_heading=_("Deviations"),
        rows=[[r["category__name"], r["n"]] for r in figures["by_category"]],
        total=figures["total"],
        empty_text=empty_text,
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
