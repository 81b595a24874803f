"""One builder per report kind, all returning a :class:`~reports.builders.common.ReportData`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from reports.builders.common import ReportData
from reports.choices import ReportKind, ScopeKind
from reports.scopes import ReportScope, municipal_provider_for
from responsibility.models import CareProvider


@dataclass(frozen=True)
class ReportParams:
    """Validated parameters of one report: kind, scope and period (or date, or year)."""

    kind: str
    scope: ReportScope
    period_from: date | None = None
    period_to: date | None = None
    year: int | None = None
    # The vårdgivare of a patient safety report, when the validation already read it (else read from the scope).
    provider: CareProvider | None = field(default=None, compare=False, repr=False)

    @property
    def on(self) -> date | None:
        """The date of a register report."""
        return self.period_to


def build_report(*, params: ReportParams, produced_by: str, now: datetime | None = None) -> ReportData:
    """Compute the figures of ``params`` and lay them out; the same object feeds HTML, CSV/XLSX and PDF."""
    now = now or timezone.now()
    kind, scope = params.kind, params.scope
    common = {
        "kind": kind,
        "title": str(ReportKind(kind).label),
        "scope": scope,
        "data_as_of": now,
        "produced_by": produced_by,
        "period_from": params.period_from,
        "period_to": params.period_to,
        "year": params.year,
        "author": scope.label,
    }
    if kind == ReportKind.DEVIATIONS:
        from reports.builders.deviation_sections import deviation_sections, deviation_summary
        from reports.builders.deviations import deviation_figures

        figures = deviation_figures(scope=scope, period_from=params.period_from, period_to=params.period_to, now=now)
        sections = deviation_sections(
            figures=figures, period_from=params.period_from, period_to=params.period_to, now=now
        )
        from reports.builders.complaints import complaints_report_figures, complaints_sections

        sections += complaints_sections(
            figures=complaints_report_figures(scope=scope, period_from=params.period_from, period_to=params.period_to)
        )
        return ReportData(
            **common,
            sections=sections,
            is_empty=figures["total"] == 0,
            summary=deviation_summary(figures=figures, now=now),
            empty_message=_("No deviations were reported in the period."),
        )
    if kind == ReportKind.LEX_MARIA:
        from reports.builders.lex_maria import lex_maria_figures, lex_maria_sections, lex_maria_summary

        figures = lex_maria_figures(scope=scope, period_from=params.period_from, period_to=params.period_to, now=now)
        return ReportData(
            **common,
            sections=lex_maria_sections(figures=figures),
            is_empty=figures["total"] == 0,
            summary=lex_maria_summary(figures=figures),
            empty_message=_("No Lex Maria cases were decided in the period."),
        )
    if kind == ReportKind.FOLLOWUP:
        from reports.builders.followup import followup_figures, followup_sections, followup_summary

        figures = followup_figures(scope=scope, period_from=params.period_from, period_to=params.period_to, now=now)
        return ReportData(
            **common,
            sections=followup_sections(figures=figures),
            summary=followup_summary(figures=figures),
            is_empty=figures["planned"] == 0 and figures["actions"] == 0,
            empty_message=_("No follow-ups were scheduled in the period."),
        )
    if kind == ReportKind.RESPONSIBILITY:
        from reports.builders.responsibility import (
            responsibility_figures,
            responsibility_sections,
            responsibility_summary,
        )

        figures = responsibility_figures(scope=scope, on=params.on)
        return ReportData(
            **common,
            sections=responsibility_sections(figures=figures),
            summary=responsibility_summary(figures=figures),
            is_empty=not figures["units"],
            empty_message=_("No active units in the scope on the date."),
        )
    if kind == ReportKind.PATIENT_SAFETY:
        from reports.builders.patient_safety import has_data, patient_safety_figures
        from reports.builders.patient_safety_sections import patient_safety_sections, patient_safety_summary

        provider = params.provider or municipal_provider_for(scope)
        figures = patient_safety_figures(provider=provider, scope_label=scope.label, year=params.year, now=now)
        narrative = figures["narrative"]
        if narrative is not None and narrative.state == "adopted":
            subtitle = _("Adopted by the board on %(date)s.") % {"date": narrative.adopted_on.isoformat()}
            if narrative.adopted_paragraph:
                subtitle = _("Adopted by the board on %(date)s, %(paragraph)s.") % {
                    "date": narrative.adopted_on.isoformat(),
                    "paragraph": narrative.adopted_paragraph,
                }
        elif narrative is not None and narrative.state == "review":
            subtitle = _("In review, not yet adopted by the board.")
        else:
            subtitle = _("Draft, not yet adopted by the board.")
        common["author"] = provider.name
        return ReportData(
            **common,
            sections=patient_safety_sections(figures=figures),
            subtitle=subtitle,
            summary=patient_safety_summary(figures=figures),
            with_contents=True,
            is_empty=not has_data(figures),
            empty_message=_("There are no data for the year."),
        )
    raise ValueError(kind)


def scope_kinds_for(kind: str) -> tuple[str, ...]:
    """The scopes a report kind can be ordered for: a patient safety report is one vårdgivare's."""
    if kind == ReportKind.PATIENT_SAFETY:
        return (ScopeKind.BOARD, ScopeKind.PROVIDER)
    return tuple(ScopeKind.values)
