"""Writes of the reports app: checking parameters, ordering and generating PDFs, the narrative's states."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.pdf import html_to_pdf
from core.transitions import Machine, Transition, TransitionError, lock, transition_row
from core.users import actor_display
from incidents.lexmaria.models import LexMariaCase
from incidents.models import Deviation
from reports.builders import ReportParams, build_report, scope_kinds_for
from reports.builders.common import ReportData, period_bounds
from reports.choices import DATE_KINDS, YEAR_KINDS, ReportKind, ReportMove, ReportState
from reports.models import (
    GeneratedReport,
    PatientSafetyNarrative,
    ReportTransition,
)
from reports.scopes import ReportScope, ScopeError, may_report_on, municipal_provider_for, parse_scope, scope_from_ids
from responsibility.models import CareProvider
from responsibility.tenancy import municipality_id_of

logger = logging.getLogger(__name__)

# The moves a generated report may make; anything else is refused.
# RUNNING → RUNNING is a takeover of a run whose worker died; FAILED → QUEUED is "Försök igen".
REPORT_TRANSITIONS: dict[str, Transition] = {
    ReportMove.START: Transition((ReportState.QUEUED,), ReportState.RUNNING),
    ReportMove.TAKE_OVER: Transition((ReportState.RUNNING,), ReportState.RUNNING),
    ReportMove.FINISH: Transition((ReportState.RUNNING,), ReportState.DONE),
    ReportMove.FAIL: Transition((ReportState.QUEUED, ReportState.RUNNING), ReportState.FAILED),
    ReportMove.RETRY: Transition((ReportState.FAILED,), ReportState.QUEUED),
}
# Every move writes a history row (the generating job's without an actor); the reason is the move's label or the error.
REPORTS = Machine(
    model=GeneratedReport,
    table=REPORT_TRANSITIONS,
    state_labels=ReportState,
    move_labels=ReportMove,
    record=transition_row(ReportTransition, "report"),
    versioned=False,
    touch=(),
    refused=lambda move, state: _("Only a failed report can be tried again."),
)
# Earliest year a patient safety report can be asked for.
FIRST_YEAR = 2000

# The registered name of the generation task (reports.tasks); queued messages carry it.
GENERATE_TASK = "reports.generate_report"


class ReportInputError(ValidationError):
    """Parameters that cannot make a report; the message dict is keyed by form field."""


def display_name(user) -> str:
    if user is None:
        return _("The generate_report command")
    return actor_display(user)


def check_params(
    *,
    user,
    kind: str,
    scope_token: str,
    period_from: date | None = None,
    period_to: date | None = None,
    year: int | None = None,
    on: date | None = None,
    scopes: list[ReportScope] | None = None,
) -> ReportParams:
    """Return valid parameters or raise :class:`ReportInputError` with Swedish messages per field.

    ``user`` None means the command line (an operator on the server), which may report on any scope;
    ``scopes`` are the user's :func:`~reports.scopes.scopes_for_user` when the caller already read them.
    """
    errors: dict[str, str] = {}
    if kind not in ReportKind.values:
        raise ReportInputError({"kind": _("Choose a report.")})
    try:
        scope = parse_scope(scope_token, municipality_id=municipality_id_of(user) if user is not None else None)
    except ScopeError as exc:
        raise ReportInputError({"scope": str(exc)}) from exc
    if user is not None and not may_report_on(user, scope, scopes=scopes):
        raise ReportInputError({"scope": _("You may not see reports for %(scope)s.") % {"scope": scope.label}})
    if scope.kind not in scope_kinds_for(kind):
        raise ReportInputError(
            {
                "scope": _(
                    "A patient safety report is written for one care provider: "
                    "choose a board (its own operation) or a care provider."
                )
            }
        )
    today = timezone.localdate()
    if kind in YEAR_KINDS:
        provider = municipal_provider_for(scope)
        if year is None:
            errors["year"] = _("Enter the year.")
        elif year < FIRST_YEAR or year > today.year:
            errors["year"] = _("Choose a year between %(first)s and %(last)s.") % {
                "first": FIRST_YEAR,
                "last": today.year,
            }
        elif not year_has_data(scope=scope, year=year, provider=provider):
            errors["year"] = _(
                "There are no data for %(scope)s in %(year)s: no deviations, Lex Maria cases, "
                "follow-ups or written sections."
            ) % {"scope": scope.label, "year": year}
        if errors:
            raise ReportInputError(errors)
        return ReportParams(
            kind=kind,
            scope=scope,
            period_from=date(year, 1, 1),
            period_to=date(year, 12, 31),
            year=year,
            provider=provider,
        )
    if kind in DATE_KINDS:
        on = on or period_to
        if on is None:
            raise ReportInputError({"on": _("Enter the date.")})
        return ReportParams(kind=kind, scope=scope, period_from=on, period_to=on)
    if period_from is None:
        errors["period_from"] = _("Enter the first day of the period.")
    if period_to is None:
        errors["period_to"] = _("Enter the last day of the period.")
    if period_from and period_to and period_to < period_from:
        errors["period_to"] = _("The end of the period cannot be before its start.")
    if errors:
        raise ReportInputError(errors)
    return ReportParams(kind=kind, scope=scope, period_from=period_from, period_to=period_to)


def year_has_data(*, scope: ReportScope, year: int, provider: CareProvider | None = None) -> bool:
    """Whether the vårdgivare of ``scope`` (``provider``, when already read) has anything to report for ``year``."""
    from followup.models import FollowUp

    provider = provider or municipal_provider_for(scope)
    if provider is None:
        return False
    start, end = period_bounds(date(year, 1, 1), date(year, 12, 31))
    if PatientSafetyNarrative.objects.filter(provider=provider, year=year).exists():
        return True
    if Deviation.objects.filter(unit__provider=provider, occurred_at__gte=start, occurred_at__lt=end).exists():
        return True
    if LexMariaCase.objects.filter(
        deviation__unit__provider=provider, decided_at__gte=start, decided_at__lt=end
    ).exists():
        return True
    return FollowUp.objects.filter(
        Q(unit__provider=provider) | Q(contract__provider=provider), scheduled_date__year=year
    ).exists()


def params_of(report: GeneratedReport) -> ReportParams:
    """The parameters a generated report was ordered with."""
    return ReportParams(
        kind=report.kind,
        scope=scope_from_ids(kind=report.scope_kind, pk=report.scope_id),
        period_from=report.period_from,
        period_to=report.period_to,
        year=report.year,
    )


def report_order(*, user, params: ReportParams) -> GeneratedReport:
    """Record an ordered PDF and queue its generation once the row is committed."""
    if not may_report_on(user, params.scope):
        raise PermissionDenied
    with transaction.atomic():
        report = GeneratedReport(
            kind=params.kind,
            scope_kind=params.scope.kind,
            scope_id=params.scope.id,
            scope_label=params.scope.label,
            period_from=params.period_from,
            period_to=params.period_to,
            year=params.year,
            requested_by=user,
        )
        report.full_clean()
        report.save()
        transaction.on_commit(lambda: _queue(report.pk))
    return report


def _queue(report_id: int) -> None:
    """Queue the generation by the task's registered name (``reports.tasks`` imports this module)."""
    current_app.send_task(GENERATE_TASK, args=[report_id], queue=settings.REPORTS_QUEUE)


def _move(report: GeneratedReport, to: str, **fields) -> None:
    """Move a report the caller has locked to ``to`` through the table, setting ``fields``."""
    move = next((m for m, t in REPORT_TRANSITIONS.items() if report.state in t.sources and t.target == to), None)
    if move is None:
        raise ValidationError(_("A report cannot go from %(from)s to %(to)s.") % {"from": report.state, "to": to})

    def apply(r: GeneratedReport) -> list[str]:
        r.progressed_at = timezone.now()
        for name, value in fields.items():
            setattr(r, name, value)
        return ["progressed_at", *fields]

    REPORTS.advance(report, move=move, actor=None, apply=apply, reason=fields.get("error", ""))


def _progress(report_id: int, percent: int) -> None:
    GeneratedReport.objects.filter(pk=report_id, state=ReportState.RUNNING).update(
        progress=percent, progressed_at=timezone.now()
    )


def _failed_text(exc_name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("The report could not be generated (%(error)s). Try again or contact the administrator.") % {
            "error": exc_name
        }


def _abandoned(report: GeneratedReport, *, now) -> bool:
    """Whether a running report has made no progress for the lease: its worker is gone."""
    last = report.progressed_at or report.started_at or report.requested_at
    return now - last > timedelta(seconds=settings.REPORT_LEASE_SECONDS)


def _start(report_id: int) -> GeneratedReport | None:
    """Take the report for this run (queued, or running but abandoned); None when there is nothing to do."""
    with transaction.atomic():
        report = lock(GeneratedReport.objects, report_id)
        now = timezone.now()
        if report.state == ReportState.RUNNING and not _abandoned(report, now=now):
            return None  # another worker is on it (a duplicate delivery)
        if report.state not in (ReportState.QUEUED, ReportState.RUNNING):
            return None  # done or failed already: a redelivery changes nothing
        if report.attempts >= settings.REPORT_MAX_ATTEMPTS:
            _move(report, ReportState.FAILED, error=exhausted_text(report), finished_at=now)
            return None
        _move(report, ReportState.RUNNING, progress=5, started_at=now, attempts=report.attempts + 1, error="")
    return report


def report_generate(*, report_id: int) -> GeneratedReport:
    """Generate an ordered PDF: queued → running (progress) → done, or failed with a reason.

    Idempotent on redelivery: a report already done or failed, or running under another live worker,
    is left alone; one running without progress for ``REPORT_LEASE_SECONDS`` (its worker died) is
    started again, at most ``REPORT_MAX_ATTEMPTS`` times in all.
    """
    report = _start(report_id)
    if report is None:
        return GeneratedReport.objects.get(pk=report_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            params = params_of(report)
            _progress(report.pk, 15)
            data = build_report(params=params, produced_by=display_name(report.requested_by))
            _progress(report.pk, 50)
            pdf = render_pdf(data=data)
            _progress(report.pk, 90)
            name = report_filename(data)
    except Exception as exc:  # noqa: BLE001 - any failure ends as a failed report with a reason
        logger.exception("Report %s failed", report.pk)
        with transaction.atomic():
            report = lock(GeneratedReport.objects, report_id)
            if report.state == ReportState.RUNNING:
                _move(report, ReportState.FAILED, error=_failed_text(type(exc).__name__), finished_at=timezone.now())
        return report
    with transaction.atomic():
        report = lock(GeneratedReport.objects, report_id)
        if report.state != ReportState.RUNNING:
            return report  # stale_reports gave up on it meanwhile; the user may try again
        if report.file:
            report.file.delete(save=False)  # a file left by an earlier, interrupted run
        report.file.save(name, ContentFile(pdf), save=False)
        _move(report, ReportState.DONE, progress=100, file=report.file, size=len(pdf), finished_at=timezone.now())
    return report


def exhausted_text(report: GeneratedReport) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "The report could not be generated in %(n)s attempts. Contact the administrator, "
            "who can see the error in the log."
        ) % {"n": report.attempts}


def may_retry(report: GeneratedReport) -> bool:
    """Whether "Try again" is offered: the report failed and attempts remain."""
    return report.state == ReportState.FAILED and report.attempts < settings.REPORT_MAX_ATTEMPTS


def report_retry(*, user, report: GeneratedReport) -> GeneratedReport:
    """Queue a failed report again (failed → queued), within the bounded number of attempts."""
    if report.requested_by_id != user.pk and not user.is_superuser:
        raise PermissionDenied

    def check(r: GeneratedReport) -> None:
        if not may_retry(r):
            raise TransitionError(exhausted_text(r))

    def apply(r: GeneratedReport) -> list[str]:
        r.progressed_at, r.progress, r.error, r.started_at, r.finished_at = timezone.now(), 0, "", None, None
        return ["progressed_at", "progress", "error", "started_at", "finished_at"]

    return REPORTS.move(
        report,
        move="retry",
        actor=user,
        apply=apply,
        check=check,
        robust=True,
        done=lambda r: r.state in (ReportState.QUEUED, ReportState.RUNNING),  # already on its way (a double click)
        on_commit=lambda r: _queue(r.pk),
    )


def reports_mark_stale(*, now=None) -> int:
    """Fail queued or running reports that have not progressed for ``REPORT_STALE_MINUTES``; return how many.

    The stale rows are locked, failed in one UPDATE and given a history row each (no actor: the job); a report
    that progressed before the lock was taken no longer matches.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.REPORT_STALE_MINUTES)
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The report stopped making progress (the background process was interrupted). Try again.")
    with transaction.atomic():
        stale = list(
            GeneratedReport.objects.select_for_update()
            .filter(
                Q(progressed_at__lt=cutoff) | Q(progressed_at__isnull=True, requested_at__lt=cutoff),
                state__in=REPORT_TRANSITIONS[ReportMove.FAIL].sources,
            )
            .values_list("pk", "state")
        )
        GeneratedReport.objects.filter(pk__in=[pk for pk, _state in stale]).update(
            state=ReportState.FAILED, error=message, finished_at=now, progressed_at=now
        )
        ReportTransition.objects.bulk_create(
            ReportTransition(report_id=pk, from_state=state, to_state=ReportState.FAILED, reason=message)
            for pk, state in stale
        )
    return len(stale)


def report_files_expire(*, now=None, batch_size: int = 500) -> int:
    """Remove generated files older than ``REPORT_RETENTION_DAYS`` (the row stays, marked); return how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REPORT_RETENTION_DAYS)
    removed = 0
    expired = (
        GeneratedReport.objects.filter(finished_at__lt=cutoff, file_removed_at__isnull=True)
        .exclude(file="")
        .order_by("pk")
    )
    for report in expired[:batch_size]:
        report.file.delete(save=False)
        GeneratedReport.objects.filter(pk=report.pk).update(file="", file_removed_at=now)
        removed += 1
    return removed


def report_filename(data: ReportData) -> str:
    period = str(data.year) if data.year else f"{data.period_from:%Y%m%d}-{data.period_to:%Y%m%d}"
    return f"{slugify(data.title)}-{slugify(data.scope.label)}-{period}.pdf"


def render_pdf(*, data: ReportData) -> bytes:
    """Lay the report out as a PDF/A (summary first, landscape pages for wide tables, page numbers,
    repeated table headers, bookmarks for the sections)."""
    html = render_to_string("reports/pdf/report.html", {"report": data})
    return html_to_pdf(html)
