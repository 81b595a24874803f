"""Views of the board reports: choose, read as HTML, download CSV/XLSX, order a PDF, follow its progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors
from reports import narratives, services
from reports.builders import build_report
from reports.builders.common import ReportData
from reports.choices import NarrativeState, ReportKind, ReportState
from reports.exports import report_csv, report_xlsx
from reports.forms import AdoptForm, NarrativeForm, ReportParamsForm
from reports.models import NARRATIVE_SECTIONS
from reports.scopes import may_report_on, scopes_for_user
from reports.selectors import generated_report_for, generated_reports_for
from responsibility.models import CareProvider


def _require_reporter(request) -> list:
    """The scopes the user may order reports for; none: permission denied."""
    scopes = scopes_for_user(request.user)
    if not scopes:
        raise PermissionDenied
    return scopes


def _list_page(request, form: ReportParamsForm, *, status: int = 200):
    return render(
        request,
        "reports/report_list.html",
        {
            "form": form,
            "generated": generated_reports_for(user=request.user)[:30],
            "narrative_scopes": [s for s in form.scopes if s.kind in ("board", "provider")],
            "kinds": ReportKind.choices,
            "this_year": form.initial_for()["year"] + 1,
        },
        status=status,
    )


@login_required
@require_GET
def report_list(request):
    """Choose a report and a scope; see the reports you ordered."""
    scopes = _require_reporter(request)
    form = ReportParamsForm(user=request.user, scopes=scopes, initial=ReportParamsForm.initial_for())
    return _list_page(request, form)


def _params_form(request, data) -> ReportParamsForm:
    return ReportParamsForm(data, user=request.user, scopes=_require_reporter(request))


def _query(form: ReportParamsForm) -> str:
    keys = ("kind", "scope", "period_from", "period_to", "on", "year")
    return urlencode({k: form.data.get(k, "") for k in keys if form.data.get(k)})


def _build(request, form: ReportParamsForm) -> ReportData:
    return build_report(params=form.params, produced_by=services.display_name(request.user))


@login_required
@require_GET
def report_detail(request):
    """The report as an accessible HTML page."""
    form = _params_form(request, request.GET)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    data = _build(request, form)
    narrative_url = ""
    if data.kind == ReportKind.PATIENT_SAFETY:
        provider = form.params.provider or _provider_of(form.params.scope)
        narrative_url = reverse("reports:narrative_edit", args=[provider.pk, data.year])
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": data,
            "form": form,
            "query": _query(form),
            "narrative_url": narrative_url,
        },
    )


@login_required
@require_GET
def report_export(request, fmt: str):
    """The report's tables as CSV or XLSX."""
    form = _params_form(request, request.GET)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    data = _build(request, form)
    name = services.report_filename(data).removesuffix(".pdf")
    if fmt == "csv":
        response = HttpResponse(report_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            report_xlsx(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404


@login_required
@require_POST
def report_order(request):
    """Order the report as a PDF, generated in the background."""
    form = _params_form(request, request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    report = services.report_order(user=request.user, params=form.params)
    messages.success(request, _("The report has been ordered. You can leave this page: it will be in your list."))
    return redirect(report)


def _generated(request, pk: int):
    report = generated_report_for(user=request.user, pk=pk)
    if report is None:
        raise Http404
    return report


@login_required
@require_GET
def generated_detail(request, pk: int):
    """An ordered report with its progress and, when done, the download."""
    report = _generated(request, pk)
    transitions = list(report.transitions.select_related("actor"))
    return render(
        request,
        "reports/generated_detail.html",
        {"report": report, "transitions": transitions, **_status_context(report)},
    )


@login_required
@require_GET
def generated_status(request, pk: int):
    """The progress fragment that the detail page polls with htmx."""
    report = _generated(request, pk)
    return render(request, "reports/includes/generated_status.html", {"report": report, **_status_context(report)})


def _status_context(report) -> dict:
    from django.conf import settings

    return {
        "may_retry": services.may_retry(report),
        "max_attempts": settings.REPORT_MAX_ATTEMPTS,
        "retention_days": settings.REPORT_RETENTION_DAYS,
    }


@login_required
@require_POST
def generated_retry(request, pk: int):
    """Try a failed report again ("Försök igen"), within the bounded number of attempts."""
    report = _generated(request, pk)
    try:
        services.report_retry(user=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report has been ordered again."))
    return redirect(report)


@login_required
@require_GET
def generated_download(request, pk: int):
    """The PDF, only to the one who ordered it (or an admin)."""
    report = _generated(request, pk)
    if report.state != ReportState.DONE or not report.file:
        raise Http404
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


# --- The patient safety narrative -----------------------------------------------------


def _provider_of(scope) -> CareProvider:
    from reports.scopes import municipal_provider_for

    provider = municipal_provider_for(scope)
    if provider is None:
        raise Http404
    return provider


def _scope_of(provider: CareProvider):
    return narratives.narrative_scope(provider)


@login_required
@require_GET
def narrative_open(request):
    """Go to the narrative of a chosen vårdgivare and year."""
    scopes = _require_reporter(request)
    token, year = request.GET.get("scope", ""), request.GET.get("year", "")
    allowed = {s.token: s for s in scopes if s.kind in ("board", "provider")}
    if token not in allowed or not year.isdigit():
        messages.error(request, _("Choose a care provider you may report on and a year."))
        return redirect("reports:report_list")
    return redirect("reports:narrative_edit", _provider_of(allowed[token]).pk, int(year))


@login_required
@require_http_methods(["GET", "POST"])
def narrative_edit(request, provider_id: int, year: int):
    """Write the narrative sections, and record the board's adoption."""
    provider = get_object_or_404(CareProvider.objects.select_related("board"), pk=provider_id)
    scope = _scope_of(provider)
    if not may_report_on(request.user, scope):
        raise PermissionDenied
    narrative = narratives.narrative_for(provider=provider, year=year)
    form = NarrativeForm(instance=narrative, initial={"version": narrative.version})
    adopt_form = AdoptForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "adopt":
        adopt_form = AdoptForm(request.POST)
        if narrative.pk is None:
            adopt_form.add_error(None, _("Save the sections before the adoption is recorded."))
        elif adopt_form.is_valid():
            try:
                narratives.narrative_adopt(
                    user=request.user,
                    narrative=narrative,
                    adopted_on=adopt_form.cleaned_data["adopted_on"],
                    paragraph=adopt_form.cleaned_data["adopted_paragraph"],
                )
                messages.success(request, _("The adoption by the board has been recorded."))
                return redirect(request.path)
            except ValidationError as exc:
                add_service_errors(adopt_form, exc)
        status = 400
    elif request.method == "POST" and request.POST.get("action") in (NarrativeState.REVIEW, NarrativeState.DRAFT):
        if narrative.pk is None:
            messages.error(request, _("Save the sections first."))
            return redirect(request.path)
        try:
            narratives.narrative_move(user=request.user, narrative=narrative, to=request.POST["action"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The report has been sent for review.")
                if request.POST["action"] == NarrativeState.REVIEW
                else _("The report is a draft again and can be changed."),
            )
        return redirect(request.path)
    elif request.method == "POST":
        form = NarrativeForm(request.POST, instance=narratives.narrative_for(provider=provider, year=year))
        if form.is_valid():
            try:
                narratives.narrative_save(
                    user=request.user,
                    provider=provider,
                    year=year,
                    texts={name: form.cleaned_data[name] for name in narratives.NARRATIVE_FIELDS},
                    version=form.cleaned_data["version"],
                )
                messages.success(request, _("The sections have been saved."))
                return redirect(request.path)
            except ValidationError as exc:
                add_service_errors(form, exc)
        status = 400
    report_query = urlencode({"kind": ReportKind.PATIENT_SAFETY, "scope": scope.token, "year": year})
    return render(
        request,
        "reports/narrative_edit.html",
        {
            "provider": provider,
            "scope": scope,
            "year": year,
            "narrative": narrative,
            "form": form,
            "adopt_form": adopt_form,
            "adopted": narrative.state == NarrativeState.ADOPTED,
            "in_review": narrative.state == NarrativeState.REVIEW,
            "sections": [form[name] for name, _figures in NARRATIVE_SECTIONS],
            "report_url": reverse("reports:report_detail") + "?" + report_query,
            "transitions": list(narrative.transitions.select_related("actor")) if narrative.pk else [],
        },
        status=status,
    )
