"""Complaints and collaboration deviations in the reports (SPEC §6a, §7): figures from :mod:`complaints.statistics`.

The Avvikelserapport gets a section for each; the patientsäkerhetsberättelse's
"klagomål och synpunkter" and "samverkan" sections are filled from the same
figures. Counts and answer times only: no content, no patient identity.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from complaints.statistics import CollaborationFigures, ComplaintFigures, collaboration_figures, complaint_figures
from reports.builders.common import Column, Figure, Section, Table
from reports.scopes import ReportScope
from responsibility.models import Unit


def complaints_report_figures(
    *, scope: ReportScope, period_from: date, period_to: date, unit_ids: list[int] | None = None
) -> dict:
    """Complaints received and collaboration deviations that occurred in the period, in the scope's units.

    ``unit_ids``: the scope's units (the current register), when the caller already read them.
    """
    if unit_ids is None:
        unit_ids = list(Unit.objects.filter(scope.unit_q()).values_list("pk", flat=True))
    return {
        "complaints": complaint_figures(unit_ids=unit_ids, start=period_from, end=period_to),
        "collaborations": collaboration_figures(unit_ids=unit_ids, start=period_from, end=period_to),
    }


def _days(value: float | None) -> str:
    return "–" if value is None else _("%(days)s days") % {"days": f"{value:g}"}


def _count_table(key: str, caption: str, label: str, rows: list[tuple[str, int]], total: int) -> Table:
    return Table(
        key=key,
        caption=caption,
        columns=[Column(label), Column(_("Number"), numeric=True)],
        rows=[[name or "–", n] for name, n in rows],
        empty_text=_("None in the period."),
        totals=[_("Total"), total] if rows else None,
    )


def complaint_figures_list(c: ComplaintFigures) -> list[Figure]:
    return [
        Figure(_("Complaints received"), c.total),
        Figure(_("Answered"), c.answered, _("%(n)s within the deadline") % {"n": c.answered_in_time}),
        Figure(_("Median answer time"), _days(c.median_answer_days)),
        Figure(_("Overdue"), c.overdue),
        Figure(_("Started a deviation"), c.started_deviations),
    ]


def complaint_tables(c: ComplaintFigures, *, prefix: str) -> list[Table]:
    return [
        _count_table(f"{prefix}complaint_category", _("Complaints by category"), _("Category"), c.by_category, c.total),
        _count_table(f"{prefix}complaint_unit", _("Complaints by unit"), _("Unit"), c.by_unit, c.total),
        _count_table(
            f"{prefix}complaint_outcome",
            _("Complaints by outcome"),
            _("Outcome"),
            c.by_outcome,
            sum(n for _name, n in c.by_outcome),
        ),
    ]


def collaboration_figures_list(s: CollaborationFigures) -> list[Figure]:
    return [
        Figure(_("Sent to a counterpart"), s.outgoing),
        Figure(_("Received from a counterpart"), s.incoming),
        Figure(_("Overdue replies"), s.overdue),
    ]


def collaboration_tables(s: CollaborationFigures, *, prefix: str) -> list[Table]:
    counterparts = Table(
        key=f"{prefix}collaboration_counterpart",
        caption=_("Collaboration deviations per counterpart"),
        columns=[
            Column(_("Counterpart")),
            Column(_("Outgoing"), numeric=True),
            Column(_("Incoming"), numeric=True),
            Column(_("Replies received"), numeric=True),
            Column(_("Overdue replies"), numeric=True),
            Column(_("Median reply time"), nowrap=True),
        ],
        rows=[
            [f.name, f.outgoing, f.incoming, f.replies_received, f.overdue_replies, _days(f.median_reply_days)]
            for f in s.per_counterpart
        ],
        empty_text=_("None in the period."),
    )
    return [
        counterparts,
        _count_table(
            f"{prefix}collaboration_agreement",
            _("Collaboration deviations per agreement"),
            _("Agreement"),
            s.per_agreement,
            sum(n for _name, n in s.per_agreement),
        ),
        _count_table(
            f"{prefix}collaboration_category",
            _("Collaboration deviations by category"),
            _("Category"),
            s.by_category,
            s.total,
        ),
    ]


def complaints_sections(*, figures: dict) -> list[Section]:
    """The Avvikelserapport's sections on complaints and on collaboration deviations."""
    c, s = figures["complaints"], figures["collaborations"]
    return [
        Section(
            heading=_("Complaints"),
            intro=_(
                "Complaints from patients and relatives received in the period (PSL 7 kap.), with answer "
                "times against the deadline."
            ),
            figures=complaint_figures_list(c),
            tables=complaint_tables(c, prefix=""),
        ),
        Section(
            heading=_("Collaboration deviations"),
            intro=_(
                "Deviations in the collaboration with the region and other care providers that occurred in "
                "the period, per counterpart and agreement, with reply times."
            ),
            figures=collaboration_figures_list(s),
            tables=collaboration_tables(s, prefix=""),
        ),
    ]
