"""Deviation pages: report, draft, my reports, the queues, a deviation and its moves, export, log review.

Thin: check the permission, read through :mod:`incidents.selectors`, write
through :mod:`incidents.services`. Patient identity is shown only where
:func:`incidents.permissions.can_see_patient_data` allows it, and every such
view writes a :class:`PatientDataAccess` row.
"""

from __future__ import annotations

import csv
import io
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors
from core.uploads import clean_filename
from incidents import deviation_pdf as deviation_document
from incidents import patient, services
from incidents.forms import (
    AccessLogForm,
    ActionForm,
    AssessForm,
    CloseForm,
    DeviationFilter,
    DeviationForm,
    InvestigationForm,
    ReasonForm,
    SimpleMoveForm,
)
from incidents.models import (
    Deviation,
    DeviationAttachment,
    DeviationState,
    DeviationTransition,
    EventKind,
    LexMariaCase,
)
from incidents.permissions import (
    Actor,
    actor_kinds,
    can_download_attachments,
    can_see_patient_data,
    may_report,
    may_review_access_log,
)
from incidents.risk import risk_level
from incidents.selectors import (
    assessment_queue_for,
    deviations_visible_to,
    is_overdue,
    my_reports,
    queue_filter_choices,
    queue_for,
    unrouted_for,
)
from incidents.services import Move
from responsibility.choices import Role
from responsibility.permissions import is_register_admin
from responsibility.tenancy import person_of

logger = logging.getLogger(__name__)

PER_PAGE = 25

# The step forms of the detail page: step → (form class, service call).
STEP_FORMS = {
    "investigation": InvestigationForm,
    "action": ActionForm,
    Move.START_INVESTIGATION: SimpleMoveForm,
    Move.SEND_TO_MAS: SimpleMoveForm,
    Move.COMPLETE_INVESTIGATION: SimpleMoveForm,
    Move.ASSESS: AssessForm,
    Move.RETURN: ReasonForm,
    Move.CLOSE: CloseForm,
    Move.REJECT: ReasonForm,
    Move.HAND_BACK: SimpleMoveForm,
    Move.FAST_TRACK: SimpleMoveForm,
}
DEVIATION_FORMS = {"investigation", "action"}


def _require_reporter(user) -> None:
    if not may_report(user):
        raise PermissionDenied(_("You have no unit to report deviations for."))


# --- report ------------------------------------------------------------------------


def _save_report(request, form: DeviationForm, *, deviation: Deviation | None, version: int | None):
    submit = "submit" in request.POST
    try:
        with transaction.atomic():
            saved = services.deviation_save(
                user=request.user, report=form.report(), deviation=deviation, submit=submit, version=version
            )
            upload = form.cleaned_data.get("attachment")
            if upload:
                services.attachment_add(deviation=saved, user=request.user, upload=upload)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    if submit:
        messages.success(
            request,
            _("Thank you! Your deviation has been registered with reference %(reference)s.")
            % {"reference": saved.reference},
        )
        return redirect("incidents:deviation_detail", pk=saved.pk)
    messages.success(request, _("The draft is saved. It is not sent until you submit it."))
    return redirect("incidents:deviation_edit", pk=saved.pk)


def _form_context(form: DeviationForm, **extra) -> dict:
    consequence, probability = form.risk()
    score = consequence * probability if consequence and probability else None
    threshold = form.mas_risk_threshold
    return {
        "form": form,
        "score": score,
        "level": risk_level(score, threshold=threshold)[1] if score else "",
        "matrix": _matrix(consequence, probability, threshold=threshold),
        **extra,
    }


def _matrix(consequence: int | None, probability: int | None, *, threshold: int) -> list[dict]:
    rows = []
    for p in (4, 3, 2, 1):
        cells = []
        for c in (1, 2, 3, 4):
            key, label = risk_level(c * p, threshold=threshold)
            cells.append(
                {
                    "consequence": c,
                    "score": c * p,
                    "level": key,
                    "label": label,
                    "current": c == consequence and p == probability,
                }
            )
        rows.append({"probability": p, "cells": cells})
    return rows


@require_http_methods(["GET", "POST"])
@login_required
def deviation_create(request):
    """The quick report: save a draft or submit."""
    _require_reporter(request.user)
    if request.method == "POST":
        form = DeviationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            response = _save_report(request, form, deviation=None, version=None)
            if response is not None:
                return response
        return render(request, "incidents/deviation_form.html", _form_context(form), status=400)
    form = DeviationForm(user=request.user, initial={"event_kind": EventKind.OCCURRED})
    units = list(form.fields["unit"].queryset[:2])
    if len(units) == 1:
        form.initial["unit"] = units[0].pk
    return render(request, "incidents/deviation_form.html", _form_context(form))


@require_http_methods(["GET", "POST"])
@login_required
def deviation_edit(request, pk: int):
    """Continue a draft (only its reporter)."""
    deviation = Deviation.objects.filter(pk=pk, reporter=request.user, state=DeviationState.DRAFT).first()
    if deviation is None:
        raise Http404(_("No such draft."))
    if request.method == "POST":
        form = DeviationForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            version = _int(request.POST.get("version"))
            response = _save_report(request, form, deviation=deviation, version=version)
            if response is not None:
                return response
        return render(
            request,
            "incidents/deviation_form.html",
            _form_context(form, draft=deviation, version=request.POST.get("version", "")),
            status=400,
        )
    pnr = services.deviation_patient_identifier(user=request.user, deviation=deviation, action="edit")
    local = timezone.localtime
    form = DeviationForm(
        user=request.user,
        initial={
            "unit": deviation.unit_id,
            "occurred_at": local(deviation.occurred_at).strftime("%Y-%m-%dT%H:%M"),
            "discovered_at": local(deviation.discovered_at).strftime("%Y-%m-%dT%H:%M"),
            "category": deviation.category_id,
            "event_kind": deviation.event_kind,
            "description": deviation.description,
            "immediate_actions": deviation.immediate_actions,
            "patient_identifier": pnr,
            "consequence": deviation.consequence,
            "probability": deviation.probability,
            "reported_on_behalf_of": deviation.reported_on_behalf_of,
        },
    )
    return render(
        request, "incidents/deviation_form.html", _form_context(form, draft=deviation, version=deviation.version)
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- one deviation ---------------------------------------------------------------------


def _visible(user, pk: int) -> Deviation:
    deviation = (
        deviations_visible_to(user=user)
        .select_related(
            "unit__board",
            "unit__provider",
            "category",
            "municipality",
            "reporter",
            "investigator",
            "assessor",
            "mas_person",
            "board_mas_copy",
            "mas_deputy_for",
        )
        .filter(pk=pk)
        .first()
    )
    if deviation is None:
        raise Http404(_("No such deviation, or you may not see it."))
    return deviation


def _auto_id(step: str) -> str:
    """Ids unique on the page, which holds one form per move (names stay plain)."""
    return f"id_{step}_%s"


def _detail_context(request, deviation: Deviation, *, bound: dict | None = None) -> dict:
    user = request.user
    kinds = actor_kinds(user=user, deviation=deviation)
    show_patient = deviation.has_patient_data and can_see_patient_data(user=user, deviation=deviation, kinds=kinds)
    pnr = services.deviation_patient_identifier(user=user, deviation=deviation, kinds=kinds) if show_patient else ""
    bound = bound or {}
    moves = services.moves_for(user=user, deviation=deviation, kinds=kinds) if deviation.state != "draft" else []
    forms = {}
    initial = {"version": deviation.version}
    for move in moves:
        forms[move] = bound.get(move) or STEP_FORMS[move](initial=initial, auto_id=_auto_id(move))
    working = bool(kinds & {Actor.MANAGER, Actor.DUTY})
    if Actor.MANAGER in kinds and deviation.state in services.INVESTIGATION_STATES:
        forms["investigation"] = bound.get("investigation") or InvestigationForm(
            deviation=deviation,
            auto_id=_auto_id("investigation"),
            initial={
                **initial,
                "investigator": deviation.investigator_id,
                "cause_analysis": deviation.cause_analysis,
                "lessons_learned": deviation.lessons_learned,
            },
        )
        forms["action"] = bound.get("action") or ActionForm(
            deviation=deviation, initial=initial, auto_id=_auto_id("action")
        )
    move_list = [{"move": m, "label": Move(m).label, "form": forms[m]} for m in moves]
    return {
        "deviation": deviation,
        "kinds": kinds,
        "working": working,
        "only_reporter": kinds == {Actor.REPORTER},
        "show_patient": show_patient,
        "patient_identifier": pnr,
        "patient_hidden": deviation.has_patient_data and not show_patient,
        "risk_label": risk_level(deviation.risk_score, threshold=deviation.municipality.mas_risk_threshold)[1],
        "overdue": is_overdue(deviation),
        "moves": move_list,
        "investigation_form": forms.get("investigation"),
        "action_form": forms.get("action"),
        "actions": deviation.actions.select_related("owner") if working else [],
        "transitions": DeviationTransition.objects.filter(deviation=deviation).select_related("actor")
        if working
        else [],
        "attachments": list(deviation.attachments.all())
        if can_download_attachments(user=user, deviation=deviation, kinds=kinds)
        else [],
        "lex_maria_case": getattr(deviation, "lex_maria_case", None) if working else None,
    }


@require_GET
@login_required
def deviation_detail(request, pk: int):
    """A deviation: facts, risk, state, the moves the user may make; patient identity only to those who need it."""
    deviation = _visible(request.user, pk)
    if deviation.state == DeviationState.DRAFT:
        return redirect("incidents:deviation_edit", pk=pk)
    return render(request, "incidents/deviation_detail.html", _detail_context(request, deviation))


@require_GET
@login_required
def deviation_pdf(request, pk: int):
    """The deviation as a printable PDF for whoever may see its page; never with the patient's identity.

    Printing a deviation that concerns a patient is entered in the access log (action "print")."""
    deviation = _visible(request.user, pk)
    if deviation.state == DeviationState.DRAFT:
        raise Http404(_("A draft cannot be printed; submit the report first."))
    kinds = actor_kinds(user=request.user, deviation=deviation)
    pdf = deviation_document.deviation_pdf(deviation=deviation, user=request.user, kinds=kinds)
    if deviation.has_patient_data:
        services.patient_data_access_record(user=request.user, deviations=[deviation], action="print")
    logger.info("Deviation %s printed by user %s", deviation.pk, request.user.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="avvikelse-{deviation.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _call_step(step: str, *, deviation: Deviation, user, data: dict):
    version = data.get("version")
    if step == "investigation":
        return services.deviation_save_investigation(
            deviation=deviation,
            user=user,
            version=version,
            investigator=data.get("investigator"),
            cause_analysis=data.get("cause_analysis", ""),
            lessons_learned=data.get("lessons_learned", ""),
        )
    if step == "action":
        return services.deviation_add_action(
            deviation=deviation,
            user=user,
            version=version,
            description=data["description"],
            owner=data["owner"],
            deadline=data["deadline"],
        )
    if step == Move.START_INVESTIGATION:
        return services.deviation_start_investigation(deviation=deviation, user=user, version=version)
    if step == Move.SEND_TO_MAS:
        return services.deviation_send_to_mas(deviation=deviation, user=user, version=version)
    if step == Move.COMPLETE_INVESTIGATION:
        return services.deviation_complete_investigation(deviation=deviation, user=user, version=version)
    if step == Move.ASSESS:
        return services.deviation_assess(
            deviation=deviation,
            user=user,
            version=version,
            assessment=data["assessment"],
            lex_maria=data["lex_maria"],
            motivation=data["motivation"],
        )
    if step == Move.RETURN:
        return services.deviation_return(deviation=deviation, user=user, version=version, reason=data["reason"])
    if step == Move.CLOSE:
        return services.deviation_close(
            deviation=deviation,
            user=user,
            version=version,
            feedback=data["feedback"],
            lessons_learned=data.get("lessons_learned"),
        )
    if step == Move.REJECT:
        return services.deviation_reject(deviation=deviation, user=user, version=version, reason=data["reason"])
    if step == Move.HAND_BACK:
        return services.deviation_hand_back(deviation=deviation, user=user, version=version)
    if step == Move.FAST_TRACK:
        return services.deviation_fast_track(deviation=deviation, user=user, version=version)
    raise Http404


def _done_message(step: str, moved: Deviation):
    """What happened, with a link to what was created (the Lex Maria case after a "yes")."""
    if step == "investigation":
        return _("The investigation is saved.")
    if step == "action":
        return _("The action is added.")
    if step == Move.FAST_TRACK:
        return _(
            "The deviation is in your assessment now. The unit's investigation continues; "
            "the unit's managers have been told."
        )
    if step == Move.ASSESS and moved.lex_maria_decision:
        case = LexMariaCase.objects.filter(deviation=moved).only("pk", "reference").first()
        if case is not None:
            return format_html(
                _(
                    "The MAS assessment is recorded and Lex Maria case {reference} is opened: "
                    '<a href="{url}">open {reference}</a>.'
                ),
                reference=case.reference,
                url=case.get_absolute_url(),
            )
    return _("Done: %(move)s.") % {"move": Move(step).label}


@require_POST
@login_required
def deviation_step(request, pk: int, step: str):
    """Make one move (or save the investigation); a refused move re-shows the form with what was typed."""
    if step not in STEP_FORMS:
        raise Http404(_("No such step."))
    deviation = _visible(request.user, pk)
    kinds = actor_kinds(user=request.user, deviation=deviation)
    if not kinds & {Actor.MANAGER, Actor.DUTY}:
        raise PermissionDenied(_("You may not do this on this deviation."))
    form_class = STEP_FORMS[step]
    kwargs = {"deviation": deviation} if step in DEVIATION_FORMS else {}
    form = form_class(request.POST, auto_id=_auto_id(step), **kwargs)
    if form.is_valid():
        try:
            moved = _call_step(step, deviation=deviation, user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _done_message(step, moved))
            if step == Move.SEND_TO_MAS and moved.mas_unclear_reason:
                # The sender is told at once that the responsible MAS is unknown and who got the case instead.
                messages.warning(request, services.owner_text(moved))
            if deviations_visible_to(user=request.user).filter(pk=pk).exists():
                return redirect("incidents:deviation_detail", pk=pk)
            return redirect("incidents:deviation_list")
    deviation = _visible(request.user, pk)
    context = _detail_context(request, deviation, bound={step: form})
    if step not in DEVIATION_FORMS and not any(m["move"] == step for m in context["moves"]):
        # The deviation moved on meanwhile: show the refusal with what was typed anyway.
        context["moves"].append({"move": step, "label": Move(step).label, "form": form})
    return render(request, "incidents/deviation_detail.html", context, status=400)


@require_GET
@login_required
def attachment_download(request, pk: int):
    """Stream an attachment from outside the web root, after the permission check."""
    attachment = DeviationAttachment.objects.filter(pk=pk).select_related("deviation").first()
    if attachment is None or not deviations_visible_to(user=request.user).filter(pk=attachment.deviation_id).exists():
        raise Http404(_("No such attachment, or you may not see it."))
    deviation = attachment.deviation
    if not can_download_attachments(user=request.user, deviation=deviation):
        raise PermissionDenied(_("You may not open the attachments of this deviation."))
    if deviation.has_patient_data:
        services.patient_data_access_record(user=request.user, deviations=[deviation], action="attachment")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=clean_filename(attachment.original_name),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- lists ---------------------------------------------------------------------------------


@require_GET
@login_required
def my_reports_view(request):
    """The reporter's own reports: state and feedback; no patient data."""
    page = Paginator(my_reports(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "incidents/my_reports.html", {"page": page})


def _queue(request, *, assessment: bool):
    user = request.user
    base = assessment_queue_for(user=user) if assessment else queue_for(user=user)
    units, categories = queue_filter_choices(user=user)
    filterset = DeviationFilter(request.GET or None, queryset=base, units=units, categories=categories)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    if not request.GET.get("sort"):
        qs = qs.order_by("due_at", "-reported_at", "-id") if assessment else qs.order_by("-reported_at", "-id")
    return filterset, qs


def _may_use_queue(user) -> bool:
    from incidents.permissions import DUTY_ROLES, MANAGER_ROLES
    from responsibility.permissions import user_roles

    if user_roles(user) & set(MANAGER_ROLES + DUTY_ROLES + (Role.LEX_MARIA_REPORTER,)):
        return True
    # A deputy (or a fallback) keeps the cases given to her after her period ends (SPEC §3 Deputies).
    person = person_of(user)
    return person is not None and Deviation.objects.filter(mas_person=person, state__in=services.OPEN_STATES).exists()


@require_GET
@login_required
def deviation_list(request, assessment: bool = False):
    """The queue: a manager's units, a MAS/MAR's deviations, information copies; filters, sort, pages, export."""
    if not _may_use_queue(request.user):
        raise PermissionDenied(_("You have no deviation queue."))
    filterset, qs = _queue(request, assessment=assessment)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "d": d,
            "overdue": is_overdue(d, now=now),
            "risk": risk_level(d.risk_score, threshold=d.municipality.mas_risk_threshold)[1],
        }
        for d in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/deviation_list.html",
        {
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "assessment": assessment,
            "query": query.urlencode(),
        },
    )


def assessment_queue(request):
    return deviation_list(request, assessment=True)


EXPORT_COLUMNS = [
    ("reference", "Referens"),
    ("unit", "Enhet"),
    ("category", "Kategori"),
    ("event_kind", "Händelse eller risk"),
    ("state", "Status"),
    ("occurred", "Inträffade"),
    ("reported", "Rapporterad"),
    ("consequence", "Konsekvens"),
    ("probability", "Sannolikhet"),
    ("risk_score", "Riskpoäng"),
    ("risk_level", "Risknivå"),
    ("due", "Nästa tidsgräns"),
    ("overdue", "Försenad"),
]


def _export_rows(qs) -> list[list]:
    now = timezone.now()
    rows = []
    for d in qs:
        rows.append(
            [
                d.reference,
                d.unit.name,
                d.category.name,
                d.get_event_kind_display(),
                d.get_state_display(),
                timezone.localtime(d.occurred_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(d.reported_at).strftime("%Y-%m-%d %H:%M") if d.reported_at else "",
                d.consequence,
                d.probability,
                d.risk_score,
                risk_level(d.risk_score, threshold=d.municipality.mas_risk_threshold)[1],
                timezone.localtime(d.due_at).strftime("%Y-%m-%d") if d.due_at else "",
                _("yes") if is_overdue(d, now=now) else _("no"),
            ]
        )
    return rows


@require_GET
@login_required
def deviation_export(request):
    """The filtered queue as CSV or XLSX: no patient data and no free text (which might hold it)."""
    if not _may_use_queue(request.user):
        raise PermissionDenied(_("You have no deviation queue."))
    _filterset, qs = _queue(request, assessment=request.GET.get("queue") == "assessment")
    headers = [str(label) for _key, label in EXPORT_COLUMNS]
    rows = _export_rows(qs)
    stamp = timezone.localdate().isoformat()
    if request.GET.get("format") == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Avvikelser"
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="avvikelser-{stamp}.xlsx"'
        return response
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="avvikelser-{stamp}.csv"'
    return response


# --- log review ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def access_log(request):
    """Loggkontroll for MAS/MAR: filter by user, patient (posted, hashed) and period; a patient's log extract."""
    from incidents.selectors import access_log_for

    if not may_review_access_log(request.user):
        raise PermissionDenied(_("Only MAS and MAR review the access log."))
    form = AccessLogForm(request.POST if request.method == "POST" else None)
    rows = access_log_for(user=request.user)
    extract = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            rows = rows.filter(user__username=data["username"].strip())
        if data["patient"]:
            rows = rows.filter(patient_hash=patient.patient_hash(data["patient"]))
            extract = True
        if data["start"]:
            rows = rows.filter(at__date__gte=data["start"])
        if data["end"]:
            rows = rows.filter(at__date__lte=data["end"])
        page_number = data.get("page") or 1
    elif request.method == "POST":
        rows = rows.none()
        page_number = 1
    else:
        page_number = 1
    page = Paginator(rows, 50).get_page(page_number)
    return render(
        request,
        "incidents/access_log.html",
        {"form": form, "page": page, "extract": extract},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@require_GET
@login_required
def unrouted_cases(request):
    """Register admins: open cases whose responsible MAS/MAR or reporter could not be resolved (SPEC §3)."""
    if not is_register_admin(request.user):
        raise PermissionDenied(_("Only register administrators see the cases without a resolved owner."))
    deviations, cases = unrouted_for(user=request.user)
    return render(
        request,
        "incidents/unrouted.html",
        {
            "deviations": list(deviations[:200]),
            "cases": list(cases[:200]),
            "deviation_count": deviations.count(),
            "case_count": cases.count(),
        },
    )
